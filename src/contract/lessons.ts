// A course's lessons and lesson completion.
import { z } from 'zod';
import { BadgeType, dataEnvelope, Id, IsoDate, MessageResponse, messageDataEnvelope } from './common.js';
import { ErrorResponse } from './errors.js';
import { CourseProgressSummary } from './progress.js';

export const CourseLessonsParams = z.object({ courseId: Id });

export const Lesson = z
  .object({
    lessonId: Id,
    courseId: Id,
    title: z.string(),
    description: z.string(),
    order: z.number().int().describe('1, 2, 3, ... without gaps within the course'),
    estimatedTime: z.number().int().describe('minutes'),
    createdAt: IsoDate,
    updatedAt: IsoDate,
    completedAt: IsoDate.nullable().describe(
      'When the caller completed this lesson; always present, null unless the caller is actively enrolled and has completed it',
    ),
  })
  .meta({ id: 'Lesson' });
export type Lesson = z.infer<typeof Lesson>;

export const LessonListResponse = dataEnvelope(z.array(Lesson).describe('Ordered by `order`'));

const WholeNumber = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

// Shared by creation and update, so that both validate a field the same way.
const LessonTitle = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');
const LessonDescription = z.string().trim().max(5000, 'must be at most 5000 characters');
const LessonOrder = z
  .number({ error: 'must be a whole number of at least 1' })
  .int('must be a whole number of at least 1')
  .min(1, 'must be at least 1');
const EstimatedTime = WholeNumber(0, 10000);

export const CreateLessonBody = z.object({
  title: LessonTitle,
  description: LessonDescription.default(''),
  order: LessonOrder.optional().describe(
    'Position in the course. Omitted or beyond the end: appended. Taken: the lessons from that position on move down by one.',
  ),
  estimatedTime: EstimatedTime.default(0).describe('minutes'),
  instructorId: Id.optional().describe('Accepted for compatibility; must be the caller unless the caller is an admin'),
});
export type CreateLessonBody = z.infer<typeof CreateLessonBody>;

export const CreateLessonResponse = messageDataEnvelope(Lesson);

export const CompleteLessonBody = z.object({
  lessonId: Id,
  timeSpent: WholeNumber(0, 1440)
    .optional()
    .describe("minutes; defaults to the lesson's estimated time"),
});
export type CompleteLessonBody = z.infer<typeof CompleteLessonBody>;

export const LessonCompletion = z
  .object({
    completionId: Id,
    lessonId: Id,
    courseId: Id,
    studentId: Id,
    completedAt: IsoDate,
    timeSpent: z.number().int().nullable().describe('minutes'),
    alreadyCompleted: z.boolean().describe('The lesson was completed before this request; nothing changed'),
    progress: CourseProgressSummary,
    currentStreak: z.number().int().describe('Consecutive days of learning, up to today'),
    newAchievements: z.array(BadgeType).describe('Badges earned by this completion'),
  })
  .meta({ id: 'LessonCompletion' });
export type LessonCompletion = z.infer<typeof LessonCompletion>;

export const CompleteLessonResponse = messageDataEnvelope(LessonCompletion);

export const LessonParams = z.object({ courseId: Id, lessonId: Id });
export const LessonResponse = dataEnvelope(Lesson);

/** A partial update: only the fields sent change; any other field is ignored. */
export const UpdateLessonBody = z
  .object({
    title: LessonTitle.optional(),
    description: LessonDescription.optional(),
    estimatedTime: EstimatedTime.optional().describe('minutes'),
    order: LessonOrder.optional().describe(
      'Moves the lesson to this position (beyond the end: last); the lessons in between shift by one, so orders stay 1..n',
    ),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'must contain at least one field to change',
  });
export type UpdateLessonBody = z.infer<typeof UpdateLessonBody>;
export const UpdateLessonResponse = messageDataEnvelope(Lesson);
export const DeleteLessonResponse = MessageResponse;

export const LessonPreconditionFailed = ErrorResponse.extend({ current: Lesson }).meta({ id: 'LessonPreconditionFailed' });

export const ReorderLessonsBody = z.object({
  lessonIds: z
    .array(Id)
    .max(1000, 'must list at most 1000 lessons')
    .describe("Every lesson of the course exactly once, in the new order: the first gets order 1"),
});
export type ReorderLessonsBody = z.infer<typeof ReorderLessonsBody>;
export const ReorderLessonsResponse = messageDataEnvelope(z.array(Lesson).describe('Ordered by `order`'));

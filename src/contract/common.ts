import { z } from 'zod';

export const UserRole = z.enum(['student', 'instructor', 'admin']);
export type UserRole = z.infer<typeof UserRole>;
export const StudyTime = z.enum(['morning', 'afternoon', 'evening', 'night']);
export type StudyTime = z.infer<typeof StudyTime>;
export const CourseCategory = z.enum([
  'programming',
  'design',
  'business',
  'marketing',
  'science',
  'language',
  'music',
  'art',
  'other',
]);
export type CourseCategory = z.infer<typeof CourseCategory>;
export const DifficultyLevel = z.enum(['beginner', 'intermediate', 'advanced']);
export type DifficultyLevel = z.infer<typeof DifficultyLevel>;
export const SubmissionStatus = z.enum(['not_started', 'in_progress', 'submitted', 'graded']);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;
export const BadgeType = z.enum([
  'first_course',
  'seven_day_streak',
  'high_scorer',
  'early_bird',
  'perfect_score',
  'course_completer',
  'streak_master',
  'social_learner',
]);
export type BadgeType = z.infer<typeof BadgeType>;
export const AnalyticsPeriod = z.enum(['week', 'month', 'quarter', 'year']);
export type AnalyticsPeriod = z.infer<typeof AnalyticsPeriod>;

export const Id = z.uuid({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a valid id') });
export const IsoDate = z.string().describe('ISO 8601 date-time');

/** `page` + `limit` as the spec's lists take them (default 10, at most 100). */
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

export const Pagination = z
  .object({
    page: z.number().int(),
    limit: z.number().int(),
    totalCount: z.number().int(),
    totalPages: z.number().int(),
    hasNext: z.boolean(),
    hasPrev: z.boolean(),
  })
  .meta({ id: 'Pagination' });
export type Pagination = z.infer<typeof Pagination>;

export const MessageResponse = z.object({ message: z.string() });

/** `{ data }`, the spec's success envelope. */
export const dataEnvelope = <T extends z.ZodType>(data: T) => z.object({ data });
/** `{ message, data }`, used by creations and actions. */
export const messageDataEnvelope = <T extends z.ZodType>(data: T) => z.object({ message: z.string(), data });
/** `{ data, pagination }`, used by paginated lists. */
export const pageEnvelope = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), pagination: Pagination });

export const UserSummary = z.object({
  id: Id,
  firstName: z.string(),
  lastName: z.string(),
  username: z.string(),
});
export const InstructorSummary = UserSummary.extend({ avatarUrl: z.string() });

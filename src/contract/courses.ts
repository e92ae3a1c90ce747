// The course catalogue, course details and ratings. Fields the spec marks optional (`?`) are omitted
// when they have no value.
import { z } from 'zod';
import {
  CourseCategory,
  DifficultyLevel,
  Id,
  InstructorSummary,
  IsoDate,
  messageDataEnvelope,
  PageQuery,
  pageEnvelope,
  SubmissionStatus,
  dataEnvelope,
  MessageResponse,
} from './common.js';
import { ErrorResponse } from './errors.js';

export const CourseIdParams = z.object({ courseId: Id });

export const CourseSort = z.enum(['newest', 'rating', 'popular', 'title']);
export type CourseSort = z.infer<typeof CourseSort>;

export const CourseListQuery = PageQuery.extend({
  category: CourseCategory.optional(),
  difficulty: DifficultyLevel.optional(),
  instructorId: Id.optional(),
  search: z.string().trim().max(200, 'must be at most 200 characters').optional().describe('Case-insensitive match in title or description'),
  sort: CourseSort.default('newest').describe('newest (default), rating, popular (active enrollments) or title'),
});
export type CourseListQuery = z.infer<typeof CourseListQuery>;

export const CourseListItem = z
  .object({
    courseId: Id,
    title: z.string(),
    description: z.string(),
    thumbnailUrl: z.string(),
    category: CourseCategory,
    difficultyLevel: DifficultyLevel,
    instructor: InstructorSummary,
    averageRating: z.number().describe('0 when the course has no rating; one decimal'),
    totalLessons: z.number().int(),
    totalEnrollments: z.number().int().describe('Active enrollments'),
    totalRatings: z.number().int(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: 'CourseListItem' });
export type CourseListItem = z.infer<typeof CourseListItem>;
export const CourseListResponse = pageEnvelope(CourseListItem);

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

// Shared by creation and update, so that both validate a field the same way.
const CourseTitle = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');
const CourseDescription = z.string().trim().max(5000, 'must be at most 5000 characters');
const ThumbnailUrl = z.union([HttpUrl, z.literal('')]);
const PrerequisiteIds = z.array(Id).max(50, 'must list at most 50 courses');

export const CreateCourseBody = z.object({
  title: CourseTitle,
  description: CourseDescription.default(''),
  thumbnailUrl: ThumbnailUrl.default(''),
  category: CourseCategory,
  difficultyLevel: DifficultyLevel,
  instructorId: Id.optional().describe('Defaults to the caller; only an admin may name another instructor'),
  prerequisiteIds: PrerequisiteIds.default([]),
});
export type CreateCourseBody = z.infer<typeof CreateCourseBody>;

export const CoursePrerequisite = z.object({
  id: Id,
  prerequisiteId: Id,
  prerequisite: z.object({
    courseId: Id,
    title: z.string(),
    category: CourseCategory,
    difficultyLevel: DifficultyLevel,
  }),
  satisfied: z.boolean().describe('The caller has completed this course (false when anonymous)'),
});

export const CourseRequiredBy = z.object({
  id: Id,
  courseId: Id,
  course: z.object({ courseId: Id, title: z.string(), category: CourseCategory }),
});

export const LessonAssignmentSummary = z.object({
  assignmentId: Id,
  title: z.string(),
  description: z.string(),
  points: z.number().int(),
  dueDate: IsoDate.optional(),
  status: SubmissionStatus.describe("The caller's submission status (not_started when none)"),
});

export const CourseLessonSummary = z.object({
  lessonId: Id,
  title: z.string(),
  description: z.string(),
  order: z.number().int(),
  estimatedTime: z.number().int().describe('minutes'),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  assignments: z.array(LessonAssignmentSummary),
});

export const CourseAssignmentSummary = z.object({
  assignmentId: Id,
  lessonId: Id.optional(),
  title: z.string(),
  description: z.string(),
  points: z.number().int(),
  dueDate: IsoDate.optional(),
  rubricUrl: z.string().optional(),
  createdAt: IsoDate,
  status: SubmissionStatus.describe("The caller's submission status (not_started when none)"),
});
export type CourseAssignmentSummary = z.infer<typeof CourseAssignmentSummary>;

export const CourseQuizSummary = z.object({
  quizId: Id,
  title: z.string(),
  description: z.string().optional(),
  totalQuestions: z.number().int(),
  totalPoints: z.number().int(),
  timeLimit: z.number().optional().describe('minutes (may be fractional)'),
});
export type CourseQuizSummary = z.infer<typeof CourseQuizSummary>;

export const CourseEnrollmentStatus = z.object({
  enrollmentId: Id,
  enrolledAt: IsoDate,
  progress: z.object({
    totalLessons: z.number().int(),
    completedLessons: z.number().int(),
    completionPercentage: z.number().int().min(0).max(100),
  }),
});

export const CourseRatingItem = z
  .object({
    ratingId: Id,
    rating: z.number().int().min(1).max(5),
    review: z.string().optional(),
    student: z.object({ firstName: z.string(), lastName: z.string() }),
    createdAt: IsoDate,
  })
  .meta({ id: 'CourseRatingItem' });
export type CourseRatingItem = z.infer<typeof CourseRatingItem>;

export const CourseStatistics = z.object({
  totalEnrollments: z.number().int().describe('Active enrollments'),
  averageRating: z.number().describe('0 when the course has no rating; one decimal'),
  totalLessons: z.number().int(),
  totalAssignments: z.number().int(),
  totalQuizzes: z.number().int(),
});

export const CourseDetails = z
  .object({
    courseId: Id,
    title: z.string(),
    description: z.string(),
    thumbnailUrl: z.string(),
    category: CourseCategory,
    difficultyLevel: DifficultyLevel,
    instructorId: Id,
    instructor: InstructorSummary,
    createdAt: IsoDate,
    updatedAt: IsoDate,
    prerequisites: z.array(CoursePrerequisite),
    requiredBy: z.array(CourseRequiredBy),
    lessons: z.array(CourseLessonSummary).describe('Ordered by `order`'),
    assignments: z.array(CourseAssignmentSummary),
    quizzes: z.array(CourseQuizSummary),
    enrollment: CourseEnrollmentStatus.optional().describe('Present only when the caller is actively enrolled'),
    ratings: z.array(CourseRatingItem).describe('The 20 newest'),
    statistics: CourseStatistics,
  })
  .meta({ id: 'CourseDetails' });
export type CourseDetails = z.infer<typeof CourseDetails>;
export const CourseDetailsResponse = dataEnvelope(CourseDetails);
export const CreateCourseResponse = messageDataEnvelope(CourseDetails);

export const RateCourseBody = z.object({
  rating: z.number({ error: 'must be a whole number from 1 to 5' }).int('must be a whole number from 1 to 5').min(1, 'must be at least 1').max(5, 'must be at most 5'),
  review: z
    .string()
    .trim()
    .max(2000, 'must be at most 2000 characters')
    .nullable()
    .optional()
    .describe('Omit to keep the current review; null or empty to remove it'),
});
export type RateCourseBody = z.infer<typeof RateCourseBody>;

export const CourseRating = z
  .object({
    ratingId: Id,
    courseId: Id,
    studentId: Id,
    rating: z.number().int().min(1).max(5),
    review: z.string().nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: 'CourseRating' });
export type CourseRating = z.infer<typeof CourseRating>;
export const RateCourseResponse = messageDataEnvelope(CourseRating);

export const CourseRatingsQuery = PageQuery;
export const CourseRatingsResponse = pageEnvelope(CourseRatingItem);

/**
 * A partial update: only the fields sent change. Any other field (ids, ratings, dates, statistics) is
 * ignored, so a client may send back the course it read.
 */
export const UpdateCourseBody = z
  .object({
    title: CourseTitle.optional(),
    description: CourseDescription.optional(),
    thumbnailUrl: ThumbnailUrl.optional(),
    category: CourseCategory.optional(),
    difficultyLevel: DifficultyLevel.optional(),
    instructorId: Id.optional().describe('Only an admin may move the course to another instructor'),
    prerequisiteIds: PrerequisiteIds.optional().describe(
      'The complete new set of prerequisites ([] removes them all); a cycle or the course itself is refused (400 PREREQUISITE_CYCLE)',
    ),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'must contain at least one field to change',
  });
export type UpdateCourseBody = z.infer<typeof UpdateCourseBody>;
export const UpdateCourseResponse = messageDataEnvelope(CourseDetails);
export const DeleteCourseResponse = MessageResponse;

/** `If-Match` on an edit: the ETag the client last saw; a stale one is refused with 412. */
export const IfMatchHeaders = z.looseObject({
  'if-match': z
    .string()
    .optional()
    .describe('An ETag from a GET or an earlier edit of this resource; the edit is refused (412) if the resource changed since'),
});

export const CoursePreconditionFailed = ErrorResponse.extend({ current: CourseDetails }).meta({
  id: 'CoursePreconditionFailed',
});

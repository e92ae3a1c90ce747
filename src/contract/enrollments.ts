// Enrolling in a course, leaving it, bulk enrolment by staff, and a student's progress in a course.
import { z } from 'zod';
import { CourseProgress } from './analytics.js';
import { dataEnvelope, Id, IsoDate, messageDataEnvelope } from './common.js';
import { ErrorResponse } from './errors.js';
import { CourseProgressSummary } from './progress.js';

export const EnrollParams = z.object({ courseId: Id });

export const EnrollmentStatus = z.enum(['active', 'withdrawn']);
export type EnrollmentStatus = z.infer<typeof EnrollmentStatus>;

export const Enrollment = z
  .object({
    enrollmentId: Id,
    courseId: Id,
    studentId: Id,
    status: EnrollmentStatus,
    enrolledAt: IsoDate,
    withdrawnAt: IsoDate.optional().describe('Present while the enrollment is withdrawn'),
    course: z.object({ courseId: Id, title: z.string() }),
    progress: CourseProgressSummary,
  })
  .meta({ id: 'Enrollment' });
export type Enrollment = z.infer<typeof Enrollment>;

export const EnrollResponse = messageDataEnvelope(Enrollment);

export const StudentQuery = z.object({
  studentId: Id.optional().describe('Another student than the caller (see each route for who may name one)'),
});

export const UnenrollResponse = messageDataEnvelope(Enrollment);

export const CourseProgressResponse = dataEnvelope(CourseProgress);

export const BulkEnrollMode = z.enum(['all_or_nothing', 'per_row']);
export type BulkEnrollMode = z.infer<typeof BulkEnrollMode>;

export const BulkEnrollStudent = z
  .object({
    studentId: Id.optional(),
    email: z.email('must be a valid email address').max(254).optional(),
  })
  .refine((row) => (row.studentId === undefined) !== (row.email === undefined), {
    message: 'must give either studentId or email',
  });

export const BulkEnrollBody = z.object({
  students: z
    .array(BulkEnrollStudent)
    .min(1, 'must list at least one student')
    .max(200, 'must list at most 200 students'),
  mode: BulkEnrollMode.describe(
    'all_or_nothing: any failed row rolls back every row (400); per_row: each row succeeds or fails on its own (200)',
  ),
});
export type BulkEnrollBody = z.infer<typeof BulkEnrollBody>;

export const BulkEnrollRowStatus = z.enum(['enrolled', 'rolled_back', 'already_enrolled', 'not_found', 'not_a_student']);
export type BulkEnrollRowStatus = z.infer<typeof BulkEnrollRowStatus>;

export const BulkEnrollRow = z
  .object({
    index: z.number().int().describe('Position of the row in `students`'),
    studentId: Id.optional().describe('The student, when the row named one or an email of a student was found'),
    email: z.string().optional().describe('As sent, when the row named an email'),
    status: BulkEnrollRowStatus.describe(
      'enrolled; rolled_back (would have been enrolled, but another row failed in all_or_nothing mode); already_enrolled; not_found; not_a_student',
    ),
    enrollmentId: Id.optional().describe('Present when enrolled'),
  })
  .meta({ id: 'BulkEnrollRow' });
export type BulkEnrollRow = z.infer<typeof BulkEnrollRow>;

export const BulkEnrollResult = z
  .object({
    courseId: Id,
    mode: BulkEnrollMode,
    enrolled: z.number().int().describe('Rows enrolled'),
    failed: z.number().int().describe('Rows not enrolled'),
    results: z.array(BulkEnrollRow),
  })
  .meta({ id: 'BulkEnrollResult' });
export type BulkEnrollResult = z.infer<typeof BulkEnrollResult>;

export const BulkEnrollResponse = messageDataEnvelope(BulkEnrollResult);

/** all_or_nothing with a failed row: nothing was enrolled; `results` says what each row would have done. */
export const BulkEnrollFailed = ErrorResponse.extend({ results: z.array(BulkEnrollRow) }).meta({ id: 'BulkEnrollFailed' });

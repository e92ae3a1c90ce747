// Assignments and their submissions. Fields the spec marks optional (`?`) are omitted when they have
// no value, except in the submit response, whose spec keys are always present (null when not given).
import { z } from 'zod';
import {
  CourseCategory,
  dataEnvelope,
  Id,
  IsoDate,
  MessageResponse,
  messageDataEnvelope,
  PageQuery,
  pageEnvelope,
  SubmissionStatus,
} from './common.js';
import { ErrorResponse } from './errors.js';
import { UploadedFileUrl } from './files.js';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048, 'must be at most 2048 characters');
const DateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

export const AssignmentIdParams = z.object({ assignmentId: Id });
export const CourseAssignmentsParams = z.object({ courseId: Id });

export const AssignmentCourse = z.object({ courseId: Id, title: z.string(), category: CourseCategory });
export const AssignmentLesson = z.object({ lessonId: Id, title: z.string(), order: z.number().int() });

// ---- POST /api/assignments

// Shared by creation and update, so that both validate a field the same way.
const AssignmentTitle = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');
const AssignmentDescription = z.string().trim().max(10000, 'must be at most 10000 characters');
const AssignmentPoints = z
  .number({ error: 'must be a whole number from 1 to 10000' })
  .int('must be a whole number from 1 to 10000')
  .min(1, 'must be at least 1')
  .max(10000, 'must be at most 10000');

export const CreateAssignmentBody = z.object({
  courseId: Id,
  lessonId: Id.optional().describe('A lesson of the same course'),
  title: AssignmentTitle,
  description: AssignmentDescription.default(''),
  points: AssignmentPoints,
  dueDate: DateTime.optional(),
  rubricUrl: HttpUrl.optional(),
});
export type CreateAssignmentBody = z.infer<typeof CreateAssignmentBody>;

export const Assignment = z
  .object({
    assignmentId: Id,
    courseId: Id,
    lessonId: Id.optional(),
    title: z.string(),
    description: z.string(),
    points: z.number().int(),
    dueDate: IsoDate.optional(),
    rubricUrl: z.string().optional(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: 'Assignment' });
export type Assignment = z.infer<typeof Assignment>;
export const CreateAssignmentResponse = messageDataEnvelope(Assignment);

// ---- a submission as the spec's AssignmentDetails shows it

export const SubmissionDetails = z
  .object({
    submissionId: Id,
    startedAt: IsoDate.optional(),
    endedAt: IsoDate.optional(),
    grade: z.number().optional(),
    feedback: z.string().optional(),
    submissionContent: z.string().optional(),
    fileUrl: z.string().optional(),
    fileName: z.string().optional(),
    rubricUrl: z.string().optional().describe('The rubric link the student sent with the submission'),
    assignedAt: IsoDate,
    dueDate: IsoDate.optional().describe('Omitted when the assignment has no due date'),
    status: SubmissionStatus,
    submittedAt: IsoDate.optional(),
    isLate: z.boolean().describe('Submitted after the due date'),
    gradedAt: IsoDate.optional(),
  })
  .meta({ id: 'SubmissionDetails' });
export type SubmissionDetails = z.infer<typeof SubmissionDetails>;

export const StudentSubmission = SubmissionDetails.extend({
  studentId: Id,
  student: z.object({ firstName: z.string(), lastName: z.string(), username: z.string() }),
}).meta({ id: 'StudentSubmission' });
export type StudentSubmission = z.infer<typeof StudentSubmission>;

// ---- GET /api/courses/:courseId/assignments

export const CourseAssignmentsQuery = z.object({
  studentId: Id.optional().describe("Include this student's submission with each assignment"),
});

export const CourseAssignmentItem = z
  .object({
    assignmentId: Id,
    lessonId: Id.optional(),
    title: z.string(),
    description: z.string(),
    dueDate: IsoDate.optional(),
    points: z.number().int(),
    rubricUrl: z.string().optional(),
    createdAt: IsoDate,
    submission: SubmissionDetails.optional().describe('Only with studentId, when the student has a submission row'),
  })
  .meta({ id: 'CourseAssignmentItem' });
export type CourseAssignmentItem = z.infer<typeof CourseAssignmentItem>;

export const CourseAssignmentsResponse = dataEnvelope(
  z.object({
    course: AssignmentCourse,
    assignments: z.array(CourseAssignmentItem).describe('Ordered by due date (none last), then creation'),
    totalAssignments: z.number().int(),
  }),
);

// ---- GET /api/assignments

export const AssignmentSort = z.enum(['dueDate', '-dueDate', 'createdAt', '-createdAt', 'title', '-title', 'grade', '-grade']);
export type AssignmentSort = z.infer<typeof AssignmentSort>;

export const AssignmentListQuery = PageQuery.extend({
  status: SubmissionStatus.optional().describe(
    "Students: their submission's status. Instructors: assignments with at least one submission in this status",
  ),
  courseId: Id.optional(),
  sort: AssignmentSort.default('dueDate').describe(
    'dueDate (default; none last), createdAt, title or grade (instructors: average grade); prefix with - to reverse',
  ),
});
export type AssignmentListQuery = z.infer<typeof AssignmentListQuery>;

export const StudentAssignmentItem = z
  .object({
    view: z.literal('student'),
    submissionId: Id,
    assignmentId: Id,
    title: z.string(),
    description: z.string(),
    points: z.number().int(),
    dueDate: IsoDate.optional(),
    status: SubmissionStatus,
    grade: z.number().optional(),
    feedback: z.string().optional(),
    submittedAt: IsoDate.optional(),
    isLate: z.boolean(),
    course: AssignmentCourse,
    lesson: AssignmentLesson.optional(),
  })
  .meta({ id: 'StudentAssignmentItem' });
export type StudentAssignmentItem = z.infer<typeof StudentAssignmentItem>;

export const SubmissionCounts = z.object({
  not_started: z.number().int(),
  in_progress: z.number().int(),
  submitted: z.number().int(),
  graded: z.number().int(),
});
export type SubmissionCounts = z.infer<typeof SubmissionCounts>;

export const InstructorAssignmentItem = z
  .object({
    view: z.literal('instructor'),
    assignmentId: Id,
    title: z.string(),
    description: z.string(),
    points: z.number().int(),
    dueDate: IsoDate.optional(),
    rubricUrl: z.string().optional(),
    createdAt: IsoDate,
    course: AssignmentCourse,
    lesson: AssignmentLesson.optional(),
    submissionCounts: SubmissionCounts.describe('Submission rows by status'),
    totalSubmissions: z.number().int(),
    averageGrade: z.number().optional().describe('Over graded submissions; omitted when none is graded'),
  })
  .meta({ id: 'InstructorAssignmentItem' });
export type InstructorAssignmentItem = z.infer<typeof InstructorAssignmentItem>;

export const AssignmentListItem = z
  .discriminatedUnion('view', [StudentAssignmentItem, InstructorAssignmentItem])
  .describe("Students get their own submissions (view: student); instructors and admins the assignments they manage (view: instructor)");
export type AssignmentListItem = z.infer<typeof AssignmentListItem>;
export const AssignmentListResponse = pageEnvelope(AssignmentListItem);

// ---- GET /api/assignments/:assignmentId

export const AssignmentDetails = z
  .object({
    assignmentId: Id,
    courseId: Id,
    lessonId: Id.optional(),
    title: z.string(),
    description: z.string(),
    points: z.number().int(),
    rubricUrl: z.string().optional(),
    createdAt: IsoDate,
    dueDate: IsoDate.optional(),
    course: AssignmentCourse,
    lesson: AssignmentLesson.optional(),
    submission: SubmissionDetails.optional().describe("The caller's own submission (enrolled students)"),
    submissions: z
      .array(StudentSubmission)
      .optional()
      .describe("Every student's submission (the course's instructor and admins), by student name"),
  })
  .meta({ id: 'AssignmentDetails' });
export type AssignmentDetails = z.infer<typeof AssignmentDetails>;
export const AssignmentDetailsResponse = dataEnvelope(AssignmentDetails);

// ---- POST /api/assignments/submit

export const SubmitAssignmentBody = z
  .object({
    assignmentId: Id,
    studentId: Id.optional().describe('Accepted for compatibility; must be your own id'),
    fileUrl: UploadedFileUrl.optional().describe('The url of your own upload (POST /api/uploads)'),
    rubricUrl: HttpUrl.optional(),
    submissionContent: z.string().max(20000, 'must be at most 20000 characters').optional(),
    fileName: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters').optional(),
  })
  .describe('At least one of submissionContent and fileUrl is required')
  .refine((body) => Boolean(body.fileUrl) || Boolean(body.submissionContent?.trim()), {
    path: ['submissionContent'],
    error: 'submissionContent or fileUrl is required',
  });
export type SubmitAssignmentBody = z.infer<typeof SubmitAssignmentBody>;

export const SubmissionReceipt = z
  .object({
    submissionId: Id,
    assignmentId: Id,
    studentId: Id,
    status: SubmissionStatus,
    submittedAt: IsoDate,
    fileUrl: z.string().nullable(),
    rubricUrl: z.string().nullable(),
    fileName: z.string().optional(),
    submissionContent: z.string().optional(),
    isLate: z.boolean(),
    dueDate: IsoDate.optional(),
  })
  .meta({ id: 'SubmissionReceipt' });
export type SubmissionReceipt = z.infer<typeof SubmissionReceipt>;
export const SubmitAssignmentResponse = messageDataEnvelope(SubmissionReceipt);

// ---- PUT / DELETE /api/assignments/:assignmentId

/**
 * A partial update: only the fields sent change. `null` clears lessonId, dueDate or rubricUrl. Other
 * fields (ids, dates, submissions) are ignored, so a client may send back the assignment it read.
 */
export const UpdateAssignmentBody = z
  .object({
    title: AssignmentTitle.optional(),
    description: AssignmentDescription.optional(),
    points: AssignmentPoints.optional().describe(
      'Not below any grade already given; equal to the rubric total when the assignment has a rubric',
    ),
    dueDate: DateTime.nullable()
      .optional()
      .describe("Also moves the due date of the submissions not yet handed in; null removes it"),
    rubricUrl: HttpUrl.nullable().optional(),
    lessonId: Id.nullable().optional().describe('A lesson of the same course; null detaches the assignment'),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'must contain at least one field to change',
  });
export type UpdateAssignmentBody = z.infer<typeof UpdateAssignmentBody>;
export const UpdateAssignmentResponse = messageDataEnvelope(Assignment);
export const DeleteAssignmentResponse = MessageResponse;

export const AssignmentPreconditionFailed = ErrorResponse.extend({ current: Assignment }).meta({
  id: 'AssignmentPreconditionFailed',
});

// ---- rubrics

const RubricText = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const RubricDescription = z.string().trim().max(2000, 'must be at most 2000 characters').optional();

export const RubricLevelInput = z.object({
  title: RubricText(200),
  description: RubricDescription,
  points: z
    .number({ error: 'must be a whole number from 0 to 10000' })
    .int('must be a whole number from 0 to 10000')
    .min(0, 'must be at least 0')
    .max(10000, 'must be at most 10000'),
});

export const RubricCriterionInput = z.object({
  title: RubricText(200),
  description: RubricDescription,
  levels: z.array(RubricLevelInput).min(1, 'must have at least one level').max(10, 'must have at most 10 levels'),
});

export const SetRubricBody = z.object({
  criteria: z
    .array(RubricCriterionInput)
    .max(50, 'must have at most 50 criteria')
    .describe(
      "Replaces the rubric. The sum of each criterion's highest level must equal the assignment's points; [] removes the rubric",
    ),
});
export type SetRubricBody = z.infer<typeof SetRubricBody>;

export const RubricLevel = z
  .object({ levelId: Id, title: z.string(), description: z.string().optional(), points: z.number().int() })
  .meta({ id: 'RubricLevel' });

export const RubricCriterion = z
  .object({
    criterionId: Id,
    title: z.string(),
    description: z.string().optional(),
    maxPoints: z.number().int().describe('Points of its highest level'),
    levels: z.array(RubricLevel),
  })
  .meta({ id: 'RubricCriterion' });
export type RubricCriterion = z.infer<typeof RubricCriterion>;

export const Rubric = z
  .object({
    assignmentId: Id,
    totalPoints: z.number().int().describe("Equals the assignment's points (0 in the answer that removes the rubric)"),
    criteria: z.array(RubricCriterion).describe('In the order given'),
    updatedAt: IsoDate.optional().describe('When the rubric was last set; omitted when it was removed'),
  })
  .meta({ id: 'Rubric' });
export type Rubric = z.infer<typeof Rubric>;
export const RubricResponse = dataEnvelope(Rubric);
export const SetRubricResponse = messageDataEnvelope(Rubric);

// ---- POST /api/assignments/:assignmentId/grade

const Score = (what: string) =>
  z
    .number({ error: `must be a number from 0 to ${what}` })
    .min(0, 'must be at least 0')
    .max(10000, 'must be at most 10000');

export const RubricScoreInput = z
  .object({
    criterionId: Id,
    levelId: Id.optional().describe('The level reached; its points are given'),
    points: Score("the criterion's highest level").optional().describe('Points given directly, up to the criterion maximum'),
  })
  .refine((score) => (score.levelId === undefined) !== (score.points === undefined), {
    message: 'give exactly one of levelId and points',
    path: ['levelId'],
  });

const Feedback = z.string().trim().max(10000, 'must be at most 10000 characters');

export const GradeSubmissionBody = z
  .object({
    submissionId: Id,
    grade: Score('the assignment points')
      .optional()
      .describe('From 0 to the assignment points; with rubricScores it must equal their sum'),
    feedback: Feedback,
    rubricScores: z
      .array(RubricScoreInput)
      .min(1, 'must score at least one criterion')
      .max(50, 'must have at most 50 scores')
      .optional()
      .describe('One per rubric criterion; the grade is their sum'),
  })
  .refine((body) => body.grade !== undefined || body.rubricScores !== undefined, {
    message: 'grade or rubricScores is required',
    path: ['grade'],
  });
export type GradeSubmissionBody = z.infer<typeof GradeSubmissionBody>;

export const RubricScore = z
  .object({
    criterionId: Id,
    criterionTitle: z.string(),
    levelId: Id.optional(),
    levelTitle: z.string().optional(),
    points: z.number(),
    maxPoints: z.number(),
  })
  .meta({ id: 'RubricScore' });
export type RubricScore = z.infer<typeof RubricScore>;

export const GradedSubmission = StudentSubmission.extend({
  assignmentId: Id,
  gradedBy: Id.optional(),
  rubricScores: z.array(RubricScore).optional().describe('When the grade was given with a rubric'),
}).meta({ id: 'GradedSubmission' });
export type GradedSubmission = z.infer<typeof GradedSubmission>;
export const GradeSubmissionResponse = messageDataEnvelope(GradedSubmission);

// ---- POST /api/assignments/:assignmentId/grades/bulk

export const BulkGradeBody = z.object({
  grades: z
    .array(z.object({ submissionId: Id, grade: Score('the assignment points'), feedback: Feedback }))
    .min(1, 'must contain at least one grade')
    .max(200, 'must contain at most 200 grades')
    .describe('All are saved in one transaction, or none: any invalid row fails the request with per-row details'),
});
export type BulkGradeBody = z.infer<typeof BulkGradeBody>;
export const BulkGradeResponse = messageDataEnvelope(
  z.object({ graded: z.number().int(), submissions: z.array(GradedSubmission) }),
);

// ---- GET /api/assignments/:assignmentId/submissions

export const AssignmentSubmissionsQuery = PageQuery.extend({ status: SubmissionStatus.optional() });
export type AssignmentSubmissionsQuery = z.infer<typeof AssignmentSubmissionsQuery>;
export const AssignmentSubmissionsResponse = pageEnvelope(StudentSubmission);

// ---- GET /api/assignments/:assignmentId/feedback

export const FeedbackQuery = z.object({
  studentId: Id.optional().describe("Course staff: whose feedback to read (defaults to the caller's own)"),
});

export const GradeGrader = z.object({ id: Id, firstName: z.string(), lastName: z.string() });

export const GradeHistoryEntry = z
  .object({
    grade: z.number(),
    feedback: z.string().optional(),
    rubricScores: z.array(RubricScore).optional(),
    gradedAt: IsoDate,
    gradedBy: GradeGrader.optional().describe('Omitted when the grader account no longer exists'),
  })
  .meta({ id: 'GradeHistoryEntry' });
export type GradeHistoryEntry = z.infer<typeof GradeHistoryEntry>;

export const AssignmentFeedback = z
  .object({
    assignmentId: Id,
    submissionId: Id,
    studentId: Id,
    title: z.string(),
    points: z.number().int(),
    status: SubmissionStatus,
    submittedAt: IsoDate.optional(),
    grade: z.number().optional(),
    feedback: z.string().optional(),
    rubricScores: z.array(RubricScore).describe('Of the current grade; empty when it was not given with a rubric'),
    gradedAt: IsoDate.optional(),
    gradedBy: GradeGrader.optional(),
    history: z.array(GradeHistoryEntry).describe('Every grade given, newest first'),
  })
  .meta({ id: 'AssignmentFeedback' });
export type AssignmentFeedback = z.infer<typeof AssignmentFeedback>;
export const AssignmentFeedbackResponse = dataEnvelope(AssignmentFeedback);

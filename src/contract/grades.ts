// A student's grade report: per course, each assignment and quiz with its score and points.
import { z } from 'zod';
import { CourseCategory, dataEnvelope, Id, IsoDate, SubmissionStatus, UserSummary } from './common.js';

export const GradeReportParams = z.object({ userId: Id });

export const ReportAssignment = z
  .object({
    assignmentId: Id,
    title: z.string(),
    points: z.number().int(),
    status: SubmissionStatus.describe('not_started when the student has no submission row'),
    score: z.number().optional().describe('The grade, once graded'),
    dueDate: IsoDate.optional(),
    submittedAt: IsoDate.optional(),
    gradedAt: IsoDate.optional(),
  })
  .meta({ id: 'ReportAssignment' });
export type ReportAssignment = z.infer<typeof ReportAssignment>;

export const ReportQuiz = z
  .object({
    quizId: Id,
    title: z.string(),
    totalPoints: z.number().int().describe('Of the best attempt, or the sum of the question points before any'),
    score: z.number().optional().describe('Best score over submitted attempts; omitted before the first'),
    attempts: z.number().int().describe('Submitted attempts'),
    submittedAt: IsoDate.optional().describe('When the best attempt was submitted'),
  })
  .meta({ id: 'ReportQuiz' });
export type ReportQuiz = z.infer<typeof ReportQuiz>;

export const GradeTotals = z.object({
  earnedPoints: z.number(),
  possiblePoints: z.number().describe('Points of the graded assignments and attempted quizzes'),
  percentage: z.number().nullable().describe('earned / possible × 100, two decimals; null before anything is graded'),
  gradedItems: z.number().int(),
});
export type GradeTotals = z.infer<typeof GradeTotals>;

export const CourseGrades = z
  .object({
    courseId: Id,
    title: z.string(),
    category: CourseCategory,
    enrollmentStatus: z.enum(['active', 'withdrawn']),
    assignments: z.array(ReportAssignment).describe('By due date (none last), then creation'),
    quizzes: z.array(ReportQuiz).describe('By creation'),
    ...GradeTotals.shape,
  })
  .meta({ id: 'CourseGrades' });
export type CourseGrades = z.infer<typeof CourseGrades>;

export const GradeReport = z
  .object({
    student: UserSummary,
    courses: z
      .array(CourseGrades)
      .describe("The student's courses by enrolment date; an instructor sees only the courses they teach"),
    overall: GradeTotals.describe('Over the courses listed'),
  })
  .meta({ id: 'GradeReport' });
export type GradeReport = z.infer<typeof GradeReport>;
export const GradeReportResponse = dataEnvelope(GradeReport);

// What a client sees of assignments and submissions: built here from rows, never the raw rows.
import type {
  Assignment,
  GradedSubmission,
  RubricScore,
  StudentSubmission,
  SubmissionDetails,
  SubmissionReceipt,
} from '../../../contract/assignments.js';
import type { RubricScoreRecord, assignmentSubmissions, assignments } from '../../db/schema.js';
import { iso } from '../users/presenter.js';

export type AssignmentRow = typeof assignments.$inferSelect;
export type SubmissionRow = typeof assignmentSubmissions.$inferSelect;

/** Spreads `{ [key]: value }` only when there is a value: optional spec fields are omitted, not null. */
export const optional = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
export const optionalIso = <K extends string>(key: K, value: Date | null | undefined) => optional(key, value ? iso(value) : null);

export function presentAssignment(row: AssignmentRow): Assignment {
  return {
    assignmentId: row.id,
    courseId: row.courseId,
    ...optional('lessonId', row.lessonId),
    title: row.title,
    description: row.description,
    points: row.points,
    ...optionalIso('dueDate', row.dueDate),
    ...optional('rubricUrl', row.rubricUrl),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function presentSubmission(row: SubmissionRow): SubmissionDetails {
  return {
    submissionId: row.id,
    ...optionalIso('startedAt', row.startedAt),
    ...optionalIso('endedAt', row.endedAt),
    ...optional('grade', row.grade),
    ...optional('feedback', row.feedback),
    ...optional('submissionContent', row.submissionContent),
    ...optional('fileUrl', row.fileUrl),
    ...optional('fileName', row.fileName),
    ...optional('rubricUrl', row.rubricUrl),
    assignedAt: iso(row.assignedAt),
    ...optionalIso('dueDate', row.dueDate),
    status: row.status,
    ...optionalIso('submittedAt', row.submittedAt),
    isLate: row.isLate,
    ...optionalIso('gradedAt', row.gradedAt),
  };
}

export function presentStudentSubmission(
  row: SubmissionRow,
  student: { firstName: string; lastName: string; username: string },
): StudentSubmission {
  return {
    ...presentSubmission(row),
    studentId: row.studentId,
    student: { firstName: student.firstName, lastName: student.lastName, username: student.username },
  };
}

/** The submit response: the spec's keys are always present, null where the student gave nothing. */
export function presentReceipt(row: SubmissionRow): SubmissionReceipt {
  return {
    submissionId: row.id,
    assignmentId: row.assignmentId,
    studentId: row.studentId,
    status: row.status,
    submittedAt: iso(row.submittedAt ?? row.updatedAt),
    fileUrl: row.fileUrl,
    rubricUrl: row.rubricUrl,
    ...optional('fileName', row.fileName),
    ...optional('submissionContent', row.submissionContent),
    isLate: row.isLate,
    ...optionalIso('dueDate', row.dueDate),
  };
}

/** A rubric score as it was given (its titles copied at grading time). */
export function presentRubricScore(record: RubricScoreRecord): RubricScore {
  return {
    criterionId: record.criterionId,
    criterionTitle: record.criterionTitle,
    ...optional('levelId', record.levelId),
    ...optional('levelTitle', record.levelTitle),
    points: record.points,
    maxPoints: record.maxPoints,
  };
}

/** The grade response: the submission with its student, grader and rubric scores. */
export function presentGradedSubmission(
  row: SubmissionRow,
  student: { firstName: string; lastName: string; username: string },
  rubricScores: RubricScoreRecord[] | null,
): GradedSubmission {
  return {
    ...presentStudentSubmission(row, student),
    assignmentId: row.assignmentId,
    ...optional('gradedBy', row.gradedBy),
    ...(rubricScores ? { rubricScores: rubricScores.map(presentRubricScore) } : {}),
  };
}

/** What the audit log keeps of an assignment: its editable fields. */
export const assignmentSnapshot = (row: AssignmentRow): Record<string, unknown> => ({
  courseId: row.courseId,
  lessonId: row.lessonId,
  title: row.title,
  description: row.description,
  points: row.points,
  dueDate: row.dueDate ? iso(row.dueDate) : null,
  rubricUrl: row.rubricUrl,
});

/** What the audit log keeps of a grade. */
export const gradeSnapshot = (row: Pick<SubmissionRow, 'status' | 'grade' | 'feedback' | 'gradedBy'>): Record<string, unknown> => ({
  status: row.status,
  grade: row.grade,
  feedback: row.feedback,
  gradedBy: row.gradedBy,
});

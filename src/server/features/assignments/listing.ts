// The assignment lists: a course's assignments, a student's own submissions, and the assignments an
// instructor manages with their submission counts. Each is a bounded query, never one per item.
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type {
  AssignmentListQuery,
  AssignmentSort,
  CourseAssignmentItem,
  InstructorAssignmentItem,
  StudentAssignmentItem,
} from '../../../contract/assignments.js';
import type { CourseCategory, SubmissionStatus } from '../../../contract/common.js';
import { type Executor, queryRows } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { assignmentSubmissions, assignments } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { findCourse, isCourseStaff } from '../courses/policy.js';
import { iso } from '../users/presenter.js';
import { presentSubmission } from './presenter.js';

type Timestamp = Date | string;
const isoOf = (value: Timestamp): string => iso(new Date(value));
/** `{ key: iso }` when the timestamp is set, `{}` otherwise (optional fields are omitted). */
const optionalIso = <K extends string>(key: K, value: Timestamp | null) =>
  (value === null ? {} : { [key]: isoOf(value) }) as { [P in K]?: string };

interface ContextColumns {
  course_id: string;
  course_title: string;
  category: CourseCategory;
  lesson_id: string | null;
  lesson_title: string | null;
  lesson_order: number | null;
}

const contextColumns = sql`c.id as course_id, c.title as course_title, c.category,
  l.id as lesson_id, l.title as lesson_title, l."order" as lesson_order`;

function presentContext(row: ContextColumns) {
  return {
    course: { courseId: row.course_id, title: row.course_title, category: row.category },
    ...(row.lesson_id !== null
      ? { lesson: { lessonId: row.lesson_id, title: row.lesson_title ?? '', order: row.lesson_order ?? 0 } }
      : {}),
  };
}

const whereAll = (conditions: SQL[]) => sql.join(conditions, sql` and `);

/** GET /api/courses/:courseId/assignments: anyone signed in; a student's submissions for themself or course staff. */
export async function listCourseAssignments(db: Executor, user: AuthUser, courseId: string, studentId: string | undefined) {
  const course = await findCourse(db, courseId);
  if (studentId !== undefined && studentId !== user.id && !isCourseStaff(user, course)) {
    throw new AppError('FORBIDDEN', "Only the student, the course instructor or an admin can see this student's submissions");
  }
  const rows = await db
    .select({ assignment: assignments, submission: assignmentSubmissions })
    .from(assignments)
    .leftJoin(
      assignmentSubmissions,
      studentId === undefined
        ? sql`false`
        : and(eq(assignmentSubmissions.assignmentId, assignments.id), eq(assignmentSubmissions.studentId, studentId)),
    )
    .where(eq(assignments.courseId, course.id))
    .orderBy(sql`${assignments.dueDate} asc nulls last`, asc(assignments.createdAt), asc(assignments.id));
  const items: CourseAssignmentItem[] = rows.map(({ assignment, submission }) => ({
    assignmentId: assignment.id,
    ...(assignment.lessonId ? { lessonId: assignment.lessonId } : {}),
    title: assignment.title,
    description: assignment.description,
    ...(assignment.dueDate ? { dueDate: iso(assignment.dueDate) } : {}),
    points: assignment.points,
    ...(assignment.rubricUrl ? { rubricUrl: assignment.rubricUrl } : {}),
    createdAt: iso(assignment.createdAt),
    ...(submission ? { submission: presentSubmission(submission) } : {}),
  }));
  return {
    course: { courseId: course.id, title: course.title, category: course.category },
    assignments: items,
    totalAssignments: items.length,
  };
}

// ---- the student's own assignments

interface StudentRow extends ContextColumns {
  submission_id: string;
  assignment_id: string;
  title: string;
  description: string;
  points: number;
  due_date: Timestamp | null;
  status: SubmissionStatus;
  grade: number | null;
  feedback: string | null;
  submitted_at: Timestamp | null;
  is_late: boolean;
}

// The row's own due date wins: it is the one the student was given.
const studentOrder: Record<AssignmentSort, SQL> = {
  dueDate: sql`coalesce(s.due_date, a.due_date) asc nulls last`,
  '-dueDate': sql`coalesce(s.due_date, a.due_date) desc nulls last`,
  createdAt: sql`a.created_at asc`,
  '-createdAt': sql`a.created_at desc`,
  title: sql`lower(a.title) asc`,
  '-title': sql`lower(a.title) desc`,
  grade: sql`s.grade asc nulls last`,
  '-grade': sql`s.grade desc nulls last`,
};

export async function listStudentAssignments(db: Executor, studentId: string, query: AssignmentListQuery) {
  const conditions = [sql`s.student_id = ${studentId}::uuid`];
  if (query.status) conditions.push(sql`s.status = ${query.status}`);
  if (query.courseId) conditions.push(sql`s.course_id = ${query.courseId}::uuid`);
  // Only courses the student is still actively enrolled in.
  const from = sql`from assignment_submissions s
    join assignments a on a.id = s.assignment_id
    join course_enrollments e on e.student_id = s.student_id and e.course_id = a.course_id and e.status = 'active'
    join courses c on c.id = a.course_id
    left join lessons l on l.id = a.lesson_id
    where ${whereAll(conditions)}`;
  const [rows, [total]] = await Promise.all([
    queryRows<StudentRow>(
      db,
      sql`select s.id as submission_id, a.id as assignment_id, a.title, a.description, a.points,
          coalesce(s.due_date, a.due_date) as due_date, s.status, s.grade, s.feedback,
          s.submitted_at, s.is_late, ${contextColumns}
        ${from}
        order by ${studentOrder[query.sort]}, a.created_at, s.id
        limit ${query.limit} offset ${pageOffset(query.page, query.limit)}`,
    ),
    queryRows<{ count: number }>(db, sql`select count(*)::int as count ${from}`),
  ]);
  const data: StudentAssignmentItem[] = rows.map((row) => ({
    view: 'student',
    submissionId: row.submission_id,
    assignmentId: row.assignment_id,
    title: row.title,
    description: row.description,
    points: row.points,
    ...optionalIso('dueDate', row.due_date),
    status: row.status,
    ...(row.grade !== null ? { grade: row.grade } : {}),
    ...(row.feedback !== null ? { feedback: row.feedback } : {}),
    ...optionalIso('submittedAt', row.submitted_at),
    isLate: row.is_late,
    ...presentContext(row),
  }));
  return { data, pagination: pageInfo(query.page, query.limit, total?.count ?? 0) };
}

// ---- the assignments an instructor (or admin) manages

interface ManagedRow extends ContextColumns {
  assignment_id: string;
  title: string;
  description: string;
  points: number;
  due_date: Timestamp | null;
  rubric_url: string | null;
  created_at: Timestamp;
  not_started: number;
  in_progress: number;
  submitted: number;
  graded: number;
  total: number;
  average_grade: number | null;
}

const managedOrder: Record<AssignmentSort, SQL> = {
  dueDate: sql`a.due_date asc nulls last`,
  '-dueDate': sql`a.due_date desc nulls last`,
  createdAt: sql`a.created_at asc`,
  '-createdAt': sql`a.created_at desc`,
  title: sql`lower(a.title) asc`,
  '-title': sql`lower(a.title) desc`,
  grade: sql`st.average_grade asc nulls last`,
  '-grade': sql`st.average_grade desc nulls last`,
};

/** Instructors: the assignments of the courses they teach. Admins: every assignment. */
export async function listManagedAssignments(db: Executor, user: AuthUser, query: AssignmentListQuery) {
  const conditions: SQL[] = [sql`true`];
  if (user.role !== 'admin') conditions.push(sql`c.instructor_id = ${user.id}::uuid`);
  if (query.courseId) conditions.push(sql`a.course_id = ${query.courseId}::uuid`);
  if (query.status) {
    conditions.push(sql`exists (select 1 from assignment_submissions f where f.assignment_id = a.id and f.status = ${query.status})`);
  }
  const from = sql`from assignments a join courses c on c.id = a.course_id where ${whereAll(conditions)}`;
  const [rows, [total]] = await Promise.all([
    queryRows<ManagedRow>(
      db,
      sql`select a.id as assignment_id, a.title, a.description, a.points, a.due_date, a.rubric_url, a.created_at,
          ${contextColumns}, st.*
        from assignments a
        join courses c on c.id = a.course_id
        left join lessons l on l.id = a.lesson_id
        cross join lateral (
          select count(*) filter (where s.status = 'not_started')::int as not_started,
                 count(*) filter (where s.status = 'in_progress')::int as in_progress,
                 count(*) filter (where s.status = 'submitted')::int as submitted,
                 count(*) filter (where s.status = 'graded')::int as graded,
                 count(*)::int as total,
                 avg(s.grade) filter (where s.status = 'graded' and s.grade is not null)::float8 as average_grade
          from assignment_submissions s where s.assignment_id = a.id
        ) st
        where ${whereAll(conditions)}
        order by ${managedOrder[query.sort]}, a.created_at, a.id
        limit ${query.limit} offset ${pageOffset(query.page, query.limit)}`,
    ),
    queryRows<{ count: number }>(db, sql`select count(*)::int as count ${from}`),
  ]);
  const data: InstructorAssignmentItem[] = rows.map((row) => ({
    view: 'instructor',
    assignmentId: row.assignment_id,
    title: row.title,
    description: row.description,
    points: row.points,
    ...optionalIso('dueDate', row.due_date),
    ...(row.rubric_url !== null ? { rubricUrl: row.rubric_url } : {}),
    createdAt: isoOf(row.created_at),
    ...presentContext(row),
    submissionCounts: {
      not_started: row.not_started,
      in_progress: row.in_progress,
      submitted: row.submitted,
      graded: row.graded,
    },
    totalSubmissions: row.total,
    ...(row.average_grade !== null ? { averageGrade: Math.round(row.average_grade * 100) / 100 } : {}),
  }));
  return { data, pagination: pageInfo(query.page, query.limit, total?.count ?? 0) };
}

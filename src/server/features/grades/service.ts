// The grade report of a student: per course, each assignment and quiz with score and points, and the
// course percentage over what has been graded. Knows nothing of HTTP.
import { sql } from 'drizzle-orm';
import type { CourseGrades, GradeReport, GradeTotals, ReportAssignment, ReportQuiz } from '../../../contract/grades.js';
import type { CourseCategory, SubmissionStatus } from '../../../contract/common.js';
import { type Database, queryRows } from '../../db/client.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { iso } from '../users/presenter.js';

type Timestamp = Date | string;
const isoOf = (value: Timestamp | null, key: string) => (value === null ? {} : { [key]: iso(new Date(value)) });

interface CourseRow {
  course_id: string;
  title: string;
  category: CourseCategory;
  enrollment_status: 'active' | 'withdrawn';
}

interface AssignmentRow {
  course_id: string;
  assignment_id: string;
  title: string;
  points: number;
  due_date: Timestamp | null;
  status: SubmissionStatus | null;
  grade: number | null;
  submitted_at: Timestamp | null;
  graded_at: Timestamp | null;
}

interface QuizRow {
  course_id: string;
  quiz_id: string;
  title: string;
  question_points: number;
  attempts: number;
  best_score: number | null;
  best_total: number | null;
  best_submitted_at: Timestamp | null;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

function totals(items: { earned: number; possible: number }[]): GradeTotals {
  const earnedPoints = round2(items.reduce((sum, item) => sum + item.earned, 0));
  const possiblePoints = round2(items.reduce((sum, item) => sum + item.possible, 0));
  return {
    earnedPoints,
    possiblePoints,
    percentage: possiblePoints > 0 ? round2((earnedPoints / possiblePoints) * 100) : null,
    gradedItems: items.length,
  };
}

export function createGradesService({ db }: { db: Database }) {
  return {
    /**
     * The student, admins, and the instructors of the student's courses may read a report; an
     * instructor sees only the courses they teach.
     */
    async report(viewer: AuthUser, userId: string): Promise<GradeReport> {
      const self = viewer.id === userId;
      if (!self && viewer.role === 'student') {
        throw new AppError('FORBIDDEN', "You may only see your own grades");
      }
      const [student] = await queryRows<{ id: string; first_name: string; last_name: string; username: string }>(
        db,
        sql`select id, first_name, last_name, username from users where id = ${userId}::uuid`,
      );
      const onlyTaughtBy = !self && viewer.role === 'instructor' ? viewer.id : null;
      if (!student) {
        // An instructor learns nothing about ids outside their courses.
        if (onlyTaughtBy) throw new AppError('FORBIDDEN', 'This student is not in any course you teach');
        throw new AppError('USER_NOT_FOUND', 'User not found');
      }

      const courseRows = await queryRows<CourseRow>(
        db,
        sql`select c.id as course_id, c.title, c.category, e.status as enrollment_status
            from course_enrollments e join courses c on c.id = e.course_id
            where e.student_id = ${userId}::uuid
              ${onlyTaughtBy ? sql`and c.instructor_id = ${onlyTaughtBy}::uuid` : sql``}
            order by e.enrolled_at, c.id`,
      );
      if (onlyTaughtBy && courseRows.length === 0) {
        throw new AppError('FORBIDDEN', 'This student is not in any course you teach');
      }
      const courseIds = courseRows.length
        ? sql.join(
            courseRows.map((c) => sql`${c.course_id}::uuid`),
            sql`, `,
          )
        : sql`null::uuid`;

      const [assignmentRows, quizRows] = await Promise.all([
        queryRows<AssignmentRow>(
          db,
          sql`select a.course_id, a.id as assignment_id, a.title, a.points, coalesce(s.due_date, a.due_date) as due_date,
                s.status, s.grade, s.submitted_at, s.graded_at
              from assignments a
              left join assignment_submissions s on s.assignment_id = a.id and s.student_id = ${userId}::uuid
              where a.course_id in (${courseIds})
              order by a.due_date asc nulls last, a.created_at, a.id`,
        ),
        // The best attempt is the one with the highest share of its points (a quiz's total may change).
        queryRows<QuizRow>(
          db,
          sql`select q.course_id, q.id as quiz_id, q.title,
                (select coalesce(sum(qq.points), 0)::int from quiz_questions qq where qq.quiz_id = q.id) as question_points,
                (select count(*)::int from quiz_submissions qs
                   where qs.quiz_id = q.id and qs.student_id = ${userId}::uuid and qs.status = 'submitted') as attempts,
                best.score as best_score, best.total_points as best_total, best.submitted_at as best_submitted_at
              from quizzes q
              left join lateral (
                select qs.score, qs.total_points, qs.submitted_at from quiz_submissions qs
                where qs.quiz_id = q.id and qs.student_id = ${userId}::uuid and qs.status = 'submitted' and qs.score is not null
                order by case when qs.total_points > 0 then qs.score / qs.total_points else 0 end desc,
                         qs.score desc, qs.submitted_at desc
                limit 1
              ) best on true
              where q.course_id in (${courseIds})
              order by q.created_at, q.id`,
        ),
      ]);

      const courses: CourseGrades[] = courseRows.map((course) => {
        const graded: { earned: number; possible: number }[] = [];
        const assignments: ReportAssignment[] = assignmentRows
          .filter((row) => row.course_id === course.course_id)
          .map((row) => {
            const isGraded = row.status === 'graded' && row.grade !== null;
            if (isGraded) graded.push({ earned: row.grade!, possible: row.points });
            return {
              assignmentId: row.assignment_id,
              title: row.title,
              points: row.points,
              status: row.status ?? 'not_started',
              ...(isGraded ? { score: row.grade! } : {}),
              ...isoOf(row.due_date, 'dueDate'),
              ...isoOf(row.submitted_at, 'submittedAt'),
              ...(isGraded ? isoOf(row.graded_at, 'gradedAt') : {}),
            };
          });
        const quizzes: ReportQuiz[] = quizRows
          .filter((row) => row.course_id === course.course_id)
          .map((row) => {
            const attempted = row.best_score !== null;
            if (attempted) graded.push({ earned: row.best_score!, possible: row.best_total ?? 0 });
            return {
              quizId: row.quiz_id,
              title: row.title,
              totalPoints: attempted ? (row.best_total ?? 0) : row.question_points,
              ...(attempted ? { score: row.best_score! } : {}),
              attempts: row.attempts,
              ...(attempted ? isoOf(row.best_submitted_at, 'submittedAt') : {}),
            };
          });
        return {
          courseId: course.course_id,
          title: course.title,
          category: course.category,
          enrollmentStatus: course.enrollment_status,
          assignments,
          quizzes,
          ...totals(graded),
        };
      });

      const overall = totals(
        courses.length ? courses.map((c) => ({ earned: c.earnedPoints, possible: c.possiblePoints })) : [],
      );
      return {
        student: { id: student.id, firstName: student.first_name, lastName: student.last_name, username: student.username },
        courses,
        overall: { ...overall, gradedItems: courses.reduce((sum, c) => sum + c.gradedItems, 0) },
      };
    },
  };
}

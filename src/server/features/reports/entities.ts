// What each exportable entity is made of: its columns, listed one by one (so that a password hash, a
// token or an answer key can never be exported by accident), its table and the date a range filters on.
import { sql } from 'drizzle-orm';
import type { ExportEntity } from '../../../contract/reports.js';
import { type Executor, queryRows } from '../../db/client.js';
import { keysetBatches } from './batches.js';
import type { TimeRange } from './range.js';

export type ExportRow = Record<string, unknown>;

/** A timestamp as ISO 8601 in UTC, formatted by the database so both drivers give the same text. */
const iso = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

interface EntityDefinition {
  /** Output name → SQL expression over the alias `t` (and any joined table). */
  columns: Record<string, string>;
  from: string;
  /** Always applied (for example: only graded submissions). */
  where?: string;
  /** The row's own date, for `from`/`to`. */
  dateColumn: string;
}

const entities: Record<ExportEntity, EntityDefinition> = {
  users: {
    columns: {
      id: 't.id',
      email: 't.email',
      firstName: 't.first_name',
      lastName: 't.last_name',
      username: 't.username',
      role: 't.role',
      status: 't.status',
      preferredStudyTime: 't.preferred_study_time',
      weeklyLearningGoal: 't.weekly_learning_goal',
      currentStreak: 't.current_streak',
      longestStreak: 't.longest_streak',
      lastLearned: iso('t.last_learned'),
      createdAt: iso('t.created_at'),
      updatedAt: iso('t.updated_at'),
    },
    from: 'users t',
    dateColumn: 't.created_at',
  },
  courses: {
    columns: {
      id: 't.id',
      title: 't.title',
      description: 't.description',
      category: 't.category',
      difficultyLevel: 't.difficulty_level',
      instructorId: 't.instructor_id',
      createdAt: iso('t.created_at'),
      updatedAt: iso('t.updated_at'),
    },
    from: 'courses t',
    dateColumn: 't.created_at',
  },
  lessons: {
    columns: {
      id: 't.id',
      courseId: 't.course_id',
      title: 't.title',
      order: 't."order"',
      estimatedTime: 't.estimated_time',
      createdAt: iso('t.created_at'),
      updatedAt: iso('t.updated_at'),
    },
    from: 'lessons t',
    dateColumn: 't.created_at',
  },
  enrollments: {
    columns: {
      id: 't.id',
      studentId: 't.student_id',
      courseId: 't.course_id',
      status: 't.status',
      enrolledAt: iso('t.enrolled_at'),
      completedAt: iso('t.completed_at'),
      withdrawnAt: iso('t.withdrawn_at'),
    },
    from: 'course_enrollments t',
    dateColumn: 't.enrolled_at',
  },
  assignments: {
    columns: {
      id: 't.id',
      courseId: 't.course_id',
      lessonId: 't.lesson_id',
      title: 't.title',
      points: 't.points',
      dueDate: iso('t.due_date'),
      createdAt: iso('t.created_at'),
      updatedAt: iso('t.updated_at'),
    },
    from: 'assignments t',
    dateColumn: 't.created_at',
  },
  submissions: {
    columns: {
      id: 't.id',
      assignmentId: 't.assignment_id',
      studentId: 't.student_id',
      courseId: 't.course_id',
      status: 't.status',
      assignedAt: iso('t.assigned_at'),
      dueDate: iso('t.due_date'),
      submittedAt: iso('t.submitted_at'),
      isLate: 't.is_late',
      submissionContent: 't.submission_content',
      fileName: 't.file_name',
      grade: 't.grade::float8',
      gradedAt: iso('t.graded_at'),
      gradedBy: 't.graded_by',
    },
    from: 'assignment_submissions t',
    // Rows never submitted count from when the assignment was given.
    dateColumn: 'coalesce(t.submitted_at, t.assigned_at)',
  },
  grades: {
    columns: {
      submissionId: 't.id',
      assignmentId: 't.assignment_id',
      studentId: 't.student_id',
      courseId: 't.course_id',
      grade: 't.grade::float8',
      points: 'a.points',
      feedback: 't.feedback',
      gradedAt: iso('t.graded_at'),
      gradedBy: 't.graded_by',
    },
    from: 'assignment_submissions t join assignments a on a.id = t.assignment_id',
    where: "t.status = 'graded' and t.grade is not null",
    dateColumn: 't.graded_at',
  },
  quizAttempts: {
    columns: {
      id: 't.id',
      quizId: 't.quiz_id',
      studentId: 't.student_id',
      courseId: 't.course_id',
      attemptNumber: 't.attempt_number',
      status: 't.status',
      startedAt: iso('t.started_at'),
      submittedAt: iso('t.submitted_at'),
      score: 't.score::float8',
      totalPoints: 't.total_points',
    },
    from: 'quiz_submissions t',
    dateColumn: 't.started_at',
  },
  activities: {
    columns: {
      id: 't.id',
      userId: 't.user_id',
      type: 't.type',
      title: 't.title',
      courseId: 't.course_id',
      entityId: 't.entity_id',
      createdAt: iso('t.created_at'),
    },
    from: 'activities t',
    dateColumn: 't.created_at',
  },
};

export const entityColumns = (entity: ExportEntity): string[] => Object.keys(entities[entity].columns);

/** The entity's rows in the range, in batches ordered by id (a stable keyset whatever the data). */
export function entityBatches(db: Executor, entity: ExportEntity, range: Partial<TimeRange>): AsyncGenerator<ExportRow[]> {
  const definition = entities[entity];
  // Every identifier below is a constant of this file; only the range and the cursor are parameters.
  const select = sql.raw(
    Object.entries(definition.columns)
      .map(([name, expression]) => `${expression} as "${name}"`)
      .join(', '),
  );
  const conditions = [sql.raw(definition.where ?? 'true')];
  if (range.from) conditions.push(sql`${sql.raw(definition.dateColumn)} >= ${range.from}`);
  if (range.to) conditions.push(sql`${sql.raw(definition.dateColumn)} < ${range.to}`);
  const keyName = 'id' in definition.columns ? 'id' : 'submissionId';
  const idColumn = sql.raw(definition.columns[keyName]!);
  return keysetBatches<ExportRow, string>(
    (after, limit) =>
      queryRows<ExportRow>(
        db,
        sql`select ${select} from ${sql.raw(definition.from)}
            where ${sql.join(conditions, sql` and `)} ${after ? sql`and ${idColumn} > ${after}::uuid` : sql``}
            order by ${idColumn} limit ${limit}`,
      ),
    (row) => String(row[keyName]),
  );
}

// The demo data: seeded into private databases (never the shared test server's), checked table by
// table against the rules the features use, and signed into through a real server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type Database, type DatabaseHandle, openDatabase, queryRows } from '../src/server/db/client.js';
import {
  achievements,
  activities,
  assignmentSubmissions,
  assignments,
  courseEnrollments,
  coursePrerequisites,
  courseRatings,
  courses,
  lessonCompletions,
  lessons,
  quizQuestions,
  quizSubmissions,
  quizzes,
  studySessions,
  users,
} from '../src/server/db/schema.js';
import { seedDemoData } from '../src/server/db/seed.js';
import { correctAnswerOf } from '../src/server/db/seed-catalogue.js';
import { courseSeeds } from '../src/server/db/seed-content.js';
import { badgeRules, badgeStats, badgeTypes } from '../src/server/features/achievements/rules.js';
import { ensureAdminAccount } from '../src/server/features/auth/service.js';
import { streakRuns } from '../src/server/features/analytics/streaks.js';
import { isComplete, progressForCourses } from '../src/server/features/enrollments/progress.js';

const DAY = 86_400_000;
const DEMO_ACCOUNTS = [
  { email: 'admin@skilled.dev', password: 'Admin-demo-2026', role: 'admin', username: 'admin' },
  { email: 'instructor@skilled.dev', password: 'Instructor-demo-2026', role: 'instructor', username: 'maria.garcia' },
  { email: 'student@skilled.dev', password: 'Student-demo-2026', role: 'student', username: 'alex.chen' },
] as const;
const TABLES = {
  users,
  courses,
  coursePrerequisites,
  lessons,
  assignments,
  quizzes,
  quizQuestions,
  courseEnrollments,
  lessonCompletions,
  studySessions,
  assignmentSubmissions,
  quizSubmissions,
  courseRatings,
  achievements,
  activities,
};

async function tableCounts(db: Database): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(TABLES).map(async ([name, table]) => [name, (await db.select({ n: count() }).from(table))[0]!.n] as const),
  );
  return Object.fromEntries(entries);
}

/** What the demo says, without ids or times: equal across runs. */
async function fingerprint(db: Database): Promise<string[]> {
  const rows = await queryRows<{ line: string }>(
    db,
    sql`select u.username || ' ' || c.title || ' ' || (e.completed_at is not null)::text ||
          ' lessons=' || (select count(*) from lesson_completions l where l.student_id = u.id and l.course_id = c.id) ||
          ' work=' || coalesce((select string_agg(a.title || ':' || s.status, ',' order by a.title)
             from assignment_submissions s join assignments a on a.id = s.assignment_id
             where s.student_id = u.id and s.course_id = c.id), '') as line
        from course_enrollments e join users u on u.id = e.student_id join courses c on c.id = e.course_id
        order by 1`,
  );
  return rows.map((r) => r.line);
}

let handle: DatabaseHandle;
let db: Database;
let firstResult: Awaited<ReturnType<typeof seedDemoData>>;
const now = Date.now();

beforeAll(async () => {
  // Always a private in-memory database, even when DATABASE_URL points the suite at PostgreSQL.
  handle = await openDatabase({});
  db = handle.db;
  const started = Date.now();
  firstResult = await seedDemoData(db);
  console.log(`demo seed on in-memory PGlite took ${Date.now() - started} ms`, firstResult);
});

afterAll(async () => {
  await handle?.close();
});

describe('seedDemoData: people', () => {
  it('reports what it wrote, and the tables hold exactly that', async () => {
    expect(firstResult.seeded).toBe(true);
    if (!firstResult.seeded) return;
    const counts = await tableCounts(db);
    expect(counts).toMatchObject({
      users: firstResult.users,
      courses: firstResult.courses,
      coursePrerequisites: firstResult.prerequisites,
      lessons: firstResult.lessons,
      assignments: firstResult.assignments,
      quizzes: firstResult.quizzes,
      quizQuestions: firstResult.quizQuestions,
      courseEnrollments: firstResult.enrollments,
      lessonCompletions: firstResult.lessonCompletions,
      studySessions: firstResult.studySessions,
      assignmentSubmissions: firstResult.submissions,
      quizSubmissions: firstResult.quizSubmissions,
      courseRatings: firstResult.ratings,
      achievements: firstResult.achievements,
      activities: firstResult.activities,
    });
  });

  it('creates 1 admin, 3 instructors and 40 students, with the README demo accounts', async () => {
    const roles = await db.select({ role: users.role, n: count() }).from(users).groupBy(users.role);
    expect(Object.fromEntries(roles.map((r) => [r.role, r.n]))).toEqual({ admin: 1, instructor: 3, student: 40 });
    for (const account of DEMO_ACCOUNTS) {
      const [user] = await db.select().from(users).where(eq(users.email, account.email));
      expect(user).toMatchObject({ role: account.role, username: account.username, status: 'active' });
    }
    const [instructor] = await db.select().from(users).where(eq(users.email, 'instructor@skilled.dev'));
    expect([instructor!.firstName, instructor!.lastName]).toEqual(['Maria', 'Garcia']);
    const [student] = await db.select().from(users).where(eq(users.email, 'student@skilled.dev'));
    expect([student!.firstName, student!.lastName]).toEqual(['Alex', 'Chen']);
    // every other account: firstname.lastname@skilled.dev
    const others = await db.select().from(users).where(sql`${users.email} not in ('admin@skilled.dev', 'instructor@skilled.dev', 'student@skilled.dev')`);
    expect(others).toHaveLength(41);
    for (const user of others) {
      expect(user.email).toBe(`${user.firstName}.${user.lastName}@skilled.dev`.toLowerCase());
      expect(user.username).toBe(`${user.firstName}.${user.lastName}`.toLowerCase());
    }
    // one hash per role, shared by every account of the role
    const hashes = await db.select({ role: users.role, n: sql<number>`count(distinct ${users.passwordHash})::int` }).from(users).groupBy(users.role);
    expect(hashes.every((h) => h.n === 1)).toBe(true);
  });
});

describe('seedDemoData: catalogue', () => {
  it('covers every category and level with at least 30 described courses', async () => {
    const rows = await db.select().from(courses);
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rows.map((c) => c.category))).toEqual(
      new Set(['programming', 'design', 'business', 'marketing', 'science', 'language', 'music', 'art', 'other']),
    );
    expect(new Set(rows.map((c) => c.difficultyLevel))).toEqual(new Set(['beginner', 'intermediate', 'advanced']));
    expect(new Set(rows.map((c) => c.title)).size).toBe(rows.length);
    for (const course of rows) {
      expect(course.description.length).toBeGreaterThan(40);
      expect(course.createdAt.getTime()).toBeLessThan(now - 56 * DAY);
    }
    const instructors = await db.select({ id: users.id }).from(users).where(eq(users.role, 'instructor'));
    expect(new Set(rows.map((c) => c.instructorId))).toEqual(new Set(instructors.map((i) => i.id)));
  });

  it('gives each course 4-8 ordered lessons, 1-3 assignments and 0-2 quizzes of 3-6 questions', async () => {
    const allLessons = await db.select().from(lessons).orderBy(asc(lessons.courseId), asc(lessons.order));
    const allAssignments = await db.select().from(assignments);
    const allQuizzes = await db.select().from(quizzes);
    const questions = await db.select().from(quizQuestions);
    for (const course of await db.select().from(courses)) {
      const own = allLessons.filter((l) => l.courseId === course.id);
      expect(own.length).toBeGreaterThanOrEqual(4);
      expect(own.length).toBeLessThanOrEqual(8);
      expect(own.map((l) => l.order)).toEqual(own.map((_, i) => i + 1));
      for (const lesson of own) {
        expect(lesson.estimatedTime).toBeGreaterThanOrEqual(10);
        expect(lesson.estimatedTime).toBeLessThanOrEqual(60);
        expect(lesson.description).not.toBe('');
      }
      const work = allAssignments.filter((a) => a.courseId === course.id);
      expect(work.length).toBeGreaterThanOrEqual(1);
      expect(work.length).toBeLessThanOrEqual(3);
      const tests = allQuizzes.filter((q) => q.courseId === course.id);
      expect(tests.length).toBeLessThanOrEqual(2);
      for (const quiz of tests) {
        const own = questions.filter((q) => q.quizId === quiz.id);
        expect(own.length).toBeGreaterThanOrEqual(3);
        expect(own.length).toBeLessThanOrEqual(6);
      }
    }
    for (const assignment of allAssignments) {
      expect(assignment.points).toBeGreaterThanOrEqual(10);
      expect(assignment.points).toBeLessThanOrEqual(100);
      // from three weeks ago to three weeks ahead (whole days, so allow one day of rounding)
      expect(Math.abs(assignment.dueDate!.getTime() - now)).toBeLessThanOrEqual(22 * DAY);
    }
    expect(allAssignments.some((a) => a.dueDate!.getTime() < now)).toBe(true);
    expect(allAssignments.some((a) => a.dueDate!.getTime() > now)).toBe(true);
    expect(allAssignments.some((a) => a.rubricUrl)).toBe(true);
    expect(allAssignments.some((a) => !a.rubricUrl)).toBe(true);
  });

  it('uses every question type, with options and typed correct answers', async () => {
    const questions = await db.select().from(quizQuestions);
    expect(new Set(questions.map((q) => q.type))).toEqual(
      new Set(['single_choice', 'multiple_choice', 'true_false', 'short_answer', 'numeric']),
    );
    for (const q of questions) {
      switch (q.type) {
        case 'single_choice':
          expect(q.options.length).toBeGreaterThanOrEqual(2);
          expect(q.options).toContain(q.correctAnswer);
          break;
        case 'multiple_choice':
          expect(Array.isArray(q.correctAnswer)).toBe(true);
          for (const answer of q.correctAnswer as string[]) expect(q.options).toContain(answer);
          break;
        case 'true_false':
          expect(typeof q.correctAnswer).toBe('boolean');
          break;
        case 'short_answer':
          expect(typeof q.correctAnswer).toBe('string');
          break;
        case 'numeric':
          expect(typeof q.correctAnswer).toBe('number');
          break;
      }
    }
    expect(questions.some((q) => q.type === 'numeric' && q.tolerance !== null && q.tolerance > 0)).toBe(true);
    // answers read back exactly as written (a string that is itself JSON would not survive jsonb)
    const written = courseSeeds.flatMap((c) => c.quizzes.flatMap((quiz) => quiz.questions));
    expect(questions).toHaveLength(written.length);
    for (const seed of written) {
      expect(questions.find((q) => q.prompt === seed.prompt)?.correctAnswer).toEqual(correctAnswerOf(seed));
    }
  });

  it('chains prerequisites beginner → intermediate → advanced in several categories', async () => {
    const edges = await queryRows<{ category: string; from: string; to: string }>(
      db,
      sql`select c.category, p.difficulty_level as "from", c.difficulty_level as "to"
          from course_prerequisites cp join courses c on c.id = cp.course_id join courses p on p.id = cp.prerequisite_id`,
    );
    const chains = await queryRows<{ category: string }>(
      db,
      sql`select a.category from course_prerequisites x
          join course_prerequisites y on y.course_id = x.prerequisite_id
          join courses a on a.id = x.course_id join courses b on b.id = x.prerequisite_id join courses c on c.id = y.prerequisite_id
          where a.difficulty_level = 'advanced' and b.difficulty_level = 'intermediate' and c.difficulty_level = 'beginner'`,
    );
    expect(new Set(chains.map((c) => c.category)).size).toBeGreaterThanOrEqual(4);
    // a prerequisite is never harder than the course that needs it
    const rank = { beginner: 0, intermediate: 1, advanced: 2 } as Record<string, number>;
    for (const edge of edges) expect(rank[edge.from]).toBeLessThanOrEqual(rank[edge.to]!);
  });
});

describe('seedDemoData: history', () => {
  it('enrols every student in 6-25 courses and every course has students', async () => {
    const perStudent = await queryRows<{ n: number }>(
      db,
      sql`select count(e.id)::int as n from users u left join course_enrollments e on e.student_id = u.id where u.role = 'student' group by u.id`,
    );
    expect(perStudent).toHaveLength(40);
    for (const { n } of perStudent) {
      expect(n).toBeGreaterThanOrEqual(6);
      expect(n).toBeLessThanOrEqual(25);
    }
    const [empty] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from courses c where not exists (select 1 from course_enrollments e where e.course_id = c.id)`,
    );
    expect(empty!.n).toBe(0);
  });

  it('never enrols a student in a course whose prerequisite they had not completed before', async () => {
    const [checked] = await queryRows<{ pairs: number; violations: number }>(
      db,
      sql`select count(*)::int as pairs,
            count(*) filter (where pe.completed_at is null or pe.completed_at >= e.enrolled_at)::int as violations
          from course_enrollments e
          join course_prerequisites cp on cp.course_id = e.course_id
          left join course_enrollments pe on pe.student_id = e.student_id and pe.course_id = cp.prerequisite_id`,
    );
    expect(checked!.pairs).toBeGreaterThan(20);
    expect(checked!.violations).toBe(0);
  });

  it('sets completed_at exactly where the shared progress rule says the course is complete', async () => {
    const enrolments = await db.select().from(courseEnrollments);
    const byStudent = new Map<string, (typeof enrolments)[number][]>();
    for (const e of enrolments) byStudent.set(e.studentId, [...(byStudent.get(e.studentId) ?? []), e]);
    let completed = 0;
    for (const [studentId, own] of byStudent) {
      const progress = await progressForCourses(db, studentId, own.map((e) => e.courseId));
      for (const e of own) {
        const done = isComplete(progress.get(e.courseId)!);
        expect({ course: e.courseId, complete: done }).toEqual({ course: e.courseId, complete: e.completedAt !== null });
        if (done) {
          completed++;
          // completion comes with the last required item (a later quiz retake may follow it)
          expect(e.completedAt!.getTime()).toBeLessThanOrEqual(new Date(progress.get(e.courseId)!.lastActivity!).getTime());
          expect(e.completedAt!.getTime()).toBeGreaterThan(e.enrolledAt.getTime());
        }
      }
    }
    expect(completed).toBeGreaterThan(50);
    expect(completed).toBeLessThan(enrolments.length);
  });

  it('completes lessons in order, after enrolment, within the past 8 weeks, grouped into study sessions', async () => {
    const [order] = await queryRows<{ total: number; out_of_order: number; before_enrolment: number; too_old: number; future: number }>(
      db,
      sql`select count(*)::int as total,
            count(*) filter (where exists (
              select 1 from lesson_completions o join lessons ol on ol.id = o.lesson_id
              where o.student_id = lc.student_id and o.course_id = lc.course_id and ol."order" < l."order" and o.completed_at > lc.completed_at
            ))::int as out_of_order,
            count(*) filter (where lc.completed_at < e.enrolled_at)::int as before_enrolment,
            count(*) filter (where lc.completed_at < now() - interval '57 days')::int as too_old,
            count(*) filter (where lc.completed_at > now())::int as future
          from lesson_completions lc join lessons l on l.id = lc.lesson_id
          join course_enrollments e on e.student_id = lc.student_id and e.course_id = lc.course_id`,
    );
    expect(order).toMatchObject({ out_of_order: 0, before_enrolment: 0, too_old: 0, future: 0 });
    expect(order!.total).toBeGreaterThan(500);
    // every lesson before the last of a course is done (no gaps)
    const [gaps] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from lesson_completions lc join lessons l on l.id = lc.lesson_id
          where exists (select 1 from lessons p where p.course_id = l.course_id and p."order" < l."order"
            and not exists (select 1 from lesson_completions x where x.lesson_id = p.id and x.student_id = lc.student_id))`,
    );
    expect(gaps!.n).toBe(0);
    const completions = await db.select().from(lessonCompletions);
    for (const c of completions.slice(0, 200)) expect(c.timeSpent).toBeGreaterThan(0);
    // each completion belongs to exactly one session of its course, which spans it
    const sessions = await db.select().from(studySessions);
    const covering = new Map<string, number>();
    for (const s of sessions) {
      expect(s.endTime.getTime()).toBeGreaterThan(s.startTime.getTime());
      expect(s.duration).toBeGreaterThan(0);
      expect(s.duration).toBeLessThanOrEqual(Math.round((s.endTime.getTime() - s.startTime.getTime()) / 60_000));
      for (const lessonId of s.lessonsCovered) covering.set(`${s.userId}:${lessonId}`, (covering.get(`${s.userId}:${lessonId}`) ?? 0) + 1);
    }
    for (const c of completions) expect(covering.get(`${c.studentId}:${c.lessonId}`)).toBe(1);
    expect(sessions.some((s) => s.lessonsCovered.length > 1)).toBe(true);
  });

  it('has one submission per enrolled student and assignment, in every status, each consistent', async () => {
    const [pairs] = await queryRows<{ expected: number; actual: number }>(
      db,
      sql`select (select count(*)::int from course_enrollments e join assignments a on a.course_id = e.course_id) as expected,
                 (select count(*)::int from assignment_submissions) as actual`,
    );
    expect(pairs!.actual).toBe(pairs!.expected);
    const rows = await queryRows<{
      status: string;
      started_at: Date | null;
      submitted_at: Date | null;
      ended_at: Date | null;
      submission_content: string | null;
      file_url: string | null;
      file_name: string | null;
      grade: number | null;
      feedback: string | null;
      graded_at: Date | null;
      graded_by: string | null;
      is_late: boolean;
      due_date: Date;
      points: number;
      instructor_id: string;
      assigned_at: Date;
      enrolled_at: Date;
    }>(
      db,
      sql`select s.*, a.points, c.instructor_id, e.enrolled_at from assignment_submissions s
          join assignments a on a.id = s.assignment_id join courses c on c.id = s.course_id
          join course_enrollments e on e.student_id = s.student_id and e.course_id = s.course_id`,
    );
    const byStatus = new Map<string, number>();
    for (const row of rows) {
      byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
      expect(new Date(row.assigned_at).getTime()).toBe(new Date(row.enrolled_at).getTime());
      if (row.status === 'not_started') {
        expect([row.started_at, row.submitted_at, row.grade, row.graded_at]).toEqual([null, null, null, null]);
      } else if (row.status === 'in_progress') {
        expect(row.started_at).not.toBeNull();
        expect([row.submitted_at, row.grade]).toEqual([null, null]);
      } else {
        expect(row.submitted_at).not.toBeNull();
        expect(row.submission_content).toBeTruthy();
        expect(new Date(row.started_at!).getTime()).toBeLessThanOrEqual(new Date(row.submitted_at!).getTime());
        expect(new Date(row.ended_at!).getTime()).toBe(new Date(row.submitted_at!).getTime());
        expect(row.is_late).toBe(new Date(row.submitted_at!).getTime() > new Date(row.due_date).getTime());
        expect(Boolean(row.file_url)).toBe(Boolean(row.file_name));
      }
      if (row.status === 'submitted') expect([row.grade, row.graded_at, row.feedback]).toEqual([null, null, null]);
      if (row.status === 'graded') {
        expect(row.grade).toBeGreaterThanOrEqual(0);
        expect(row.grade).toBeLessThanOrEqual(row.points);
        expect(row.feedback).toBeTruthy();
        expect(row.graded_by).toBe(row.instructor_id);
        expect(new Date(row.graded_at!).getTime()).toBeGreaterThan(new Date(row.submitted_at!).getTime());
        expect(new Date(row.graded_at!).getTime()).toBeLessThanOrEqual(Date.now());
      }
    }
    for (const status of ['not_started', 'in_progress', 'submitted', 'graded']) expect(byStatus.get(status) ?? 0).toBeGreaterThan(10);
    expect(rows.some((r) => r.is_late)).toBe(true);
    expect(rows.some((r) => r.file_url)).toBe(true);
    expect(rows.some((r) => r.status === 'graded' && r.grade === r.points)).toBe(true);
  });

  it('scores quiz submissions against their questions', async () => {
    const attempts = await db.select().from(quizSubmissions);
    const questions = await db.select().from(quizQuestions);
    expect(attempts.length).toBeGreaterThan(50);
    const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    for (const attempt of attempts) {
      const own = questions.filter((q) => q.quizId === attempt.quizId);
      expect(attempt.status).toBe('submitted');
      expect(attempt.totalPoints).toBe(own.reduce((sum, q) => sum + q.points, 0));
      expect(Object.keys(attempt.answers).sort()).toEqual(own.map((q) => q.id).sort());
      const earned = own.filter((q) => equal(attempt.answers[q.id], q.correctAnswer)).reduce((sum, q) => sum + q.points, 0);
      expect(attempt.score).toBe(earned);
      expect(attempt.submittedAt!.getTime()).toBeGreaterThan(attempt.startedAt.getTime());
    }
    expect(attempts.some((a) => a.attemptNumber > 1)).toBe(true);
  });

  it('has ratings from 1 to 5, skewed positive, mostly with a review, only from enrolled students', async () => {
    const ratings = await queryRows<{ rating: number; review: string | null; enrolled: boolean }>(
      db,
      sql`select r.rating, r.review, exists (select 1 from course_enrollments e where e.student_id = r.student_id and e.course_id = r.course_id) as enrolled
          from course_ratings r`,
    );
    expect(ratings.length).toBeGreaterThan(50);
    for (const r of ratings) {
      expect(r.rating).toBeGreaterThanOrEqual(1);
      expect(r.rating).toBeLessThanOrEqual(5);
      expect(r.enrolled).toBe(true);
    }
    const mean = ratings.reduce((sum, r) => sum + r.rating, 0) / ratings.length;
    expect(mean).toBeGreaterThan(3.7);
    expect(ratings.filter((r) => r.review).length / ratings.length).toBeGreaterThan(0.7);
    expect(new Set(ratings.map((r) => r.rating)).size).toBe(5);
  });

  it('derives streaks from completion days; the demo student learned on each of the last days', async () => {
    const students = await db.select().from(users).where(eq(users.role, 'student'));
    const completions = await db.select({ studentId: lessonCompletions.studentId, at: lessonCompletions.completedAt }).from(lessonCompletions);
    for (const student of students) {
      const days = completions.filter((c) => c.studentId === student.id).map((c) => c.at);
      const runs = streakRuns(days);
      expect(student.longestStreak).toBe(Math.max(0, ...runs));
      expect(student.currentStreak).toBe(runs[runs.length - 1] ?? 0);
      const last = days.reduce<Date | null>((max, d) => (!max || d > max ? d : max), null);
      expect(student.lastLearned?.getTime() ?? null).toBe(last?.getTime() ?? null);
    }
    const demo = students.find((s) => s.email === 'student@skilled.dev')!;
    expect(demo.currentStreak).toBeGreaterThanOrEqual(7);
    expect(Math.floor(demo.lastLearned!.getTime() / DAY)).toBe(Math.floor(Date.now() / DAY));
    expect(students.some((s) => s.longestStreak >= 30)).toBe(true);
  });

  it('awards badges by the real rules, and only those', async () => {
    const students = await db.select({ id: users.id }).from(users).where(eq(users.role, 'student'));
    const earned = await db.select().from(achievements);
    expect(new Set(earned.map((a) => a.badgeType))).toEqual(new Set(badgeTypes));
    for (const { id } of students) {
      const stats = await badgeStats(db, id);
      const met = badgeTypes.filter((type) => badgeRules[type].measure(stats) >= badgeRules[type].target).sort();
      expect(earned.filter((a) => a.studentId === id).map((a) => a.badgeType).sort()).toEqual(met);
    }
  });

  it('writes the timeline: one activity per enrolment, completion, submission, grade, quiz, rating and badge', async () => {
    const byType = Object.fromEntries(
      (await db.select({ type: activities.type, n: count() }).from(activities).groupBy(activities.type)).map((r) => [r.type, r.n]),
    );
    const counts = await tableCounts(db);
    const [graded] = await db.select({ n: count() }).from(assignmentSubmissions).where(eq(assignmentSubmissions.status, 'graded'));
    const [submitted] = await db.select({ n: count() }).from(assignmentSubmissions).where(sql`${assignmentSubmissions.submittedAt} is not null`);
    const [completedCourses] = await db.select({ n: count() }).from(courseEnrollments).where(sql`${courseEnrollments.completedAt} is not null`);
    expect(byType).toEqual({
      course_enrolled: counts.courseEnrollments,
      lesson_completed: counts.lessonCompletions,
      assignment_submitted: submitted!.n,
      assignment_graded: graded!.n,
      quiz_completed: counts.quizSubmissions,
      course_completed: completedCourses!.n,
      course_rated: counts.courseRatings,
      achievement_earned: counts.achievements,
    });
    const [future] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from activities where created_at > now()`);
    expect(future!.n).toBe(0);
  });

  it('is idempotent: a second run writes nothing', async () => {
    const before = await tableCounts(db);
    expect(await seedDemoData(db)).toEqual({ seeded: false });
    expect(await tableCounts(db)).toEqual(before);
  });

  it('is deterministic: another database gets the same story', async () => {
    const other = await openDatabase({});
    try {
      const result = await seedDemoData(other.db);
      expect(result.seeded).toBe(true);
      expect(await tableCounts(other.db)).toEqual(await tableCounts(db));
      expect(await fingerprint(other.db)).toEqual(await fingerprint(db));
    } finally {
      await other.close();
    }
  });
});

describe('seedDemoData next to existing accounts', () => {
  it('loads beside an admin that already took the username "admin"', async () => {
    const other = await openDatabase({});
    try {
      await ensureAdminAccount(other.db, { email: 'admin@company.example', password: 'Company-admin-1' });
      const result = await seedDemoData(other.db);
      expect(result.seeded).toBe(true);
      const admins = await other.db.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.email));
      expect(admins.map((a) => [a.email, a.username])).toEqual([
        ['admin@company.example', 'admin'],
        ['admin@skilled.dev', 'admin.demo'],
      ]);
    } finally {
      await other.close();
    }
  });
});

describe('demo accounts on a real server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-seed-'));
  let server: Awaited<ReturnType<typeof buildApp>> | undefined;
  let fileDatabase: DatabaseHandle | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    const started = Date.now();
    // As on a first start: an embedded database in a fresh DATA_DIR, migrated, then seeded.
    // Without Redis too: the demo accounts' sign-in failures would otherwise count against the same
    // accounts on every other server of the test run that shares Redis, and lock them.
    const config = loadConfig({ ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    fileDatabase = await openDatabase({ dataDir: config.dataDir });
    const result = await seedDemoData(fileDatabase.db);
    expect(result.seeded).toBe(true);
    server = await buildApp({ config, database: fileDatabase });
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
    console.log(`fresh DATA_DIR: database created, migrated and seeded, server listening in ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    await server?.close();
    await fileDatabase?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const account of DEMO_ACCOUNTS) {
    it(`signs in as the demo ${account.role}`, async () => {
      const res = await fetch(`${baseUrl}/api/auth/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: account.email, password: account.password }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.data.user).toMatchObject({ email: account.email, role: account.role, username: account.username });
      expect(typeof body.data.accessToken).toBe('string');
      if (account.role === 'student') expect(body.data.user.currentStreak).toBeGreaterThanOrEqual(7);
      const wrong = await fetch(`${baseUrl}/api/auth/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: account.email, password: `${account.password}x` }),
      });
      expect(wrong.status).toBe(401);
    });
  }
});

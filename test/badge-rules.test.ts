// A change checks only the badges it can earn, reading only their figures; checking every change (what the
// achievements page does) awards the rest. On the embedded database, and on PostgreSQL when DATABASE_URL
// is set.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardBadges, type BadgeChange, badgeStats, statsStatement, type StatsPurpose } from '../src/server/features/achievements/rules.js';
import { type DatabaseHandle, queryRows } from '../src/server/db/client.js';
import { achievements, assignmentSubmissions, assignments, courseEnrollments, courseRatings, courses, users } from '../src/server/db/schema.js';
import { openTestDatabase } from './support/database.js';

const databaseUrl = process.env.DATABASE_URL;
const DAY = 24 * 60 * 60 * 1000;

describe(`badge rules (${databaseUrl ? 'PostgreSQL' : 'embedded database'})`, () => {
  let handle: DatabaseHandle;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ handle, close } = await openTestDatabase('skilled_badges'));
  });
  afterAll(() => close?.());

  const newUser = (role: 'student' | 'instructor') => {
    const username = `${role}_${randomUUID().slice(0, 8)}`;
    return { id: randomUUID(), email: `${username}@example.test`, passwordHash: 'not-a-real-hash', firstName: 'Badge', lastName: 'Rules', username, role };
  };

  /**
   * A student whose figures meet first_course, course_completer, seven_day_streak, perfect_score,
   * early_bird and social_learner, written straight to the tables, so that no change has awarded any.
   */
  async function studentMeetingSixBadges(): Promise<{ studentId: string; assignmentIds: string[]; courseId: string }> {
    const [student, instructor] = [newUser('student'), newUser('instructor')];
    await handle.db.insert(users).values([
      { ...student, currentStreak: 8, longestStreak: 8, lastLearned: new Date() },
      { ...instructor },
    ]);
    const courseRows = await handle.db
      .insert(courses)
      .values([1, 2, 3].map((n) => ({ title: `Course ${n}`, category: 'programming' as const, difficultyLevel: 'beginner' as const, instructorId: instructor.id })))
      .returning({ id: courses.id });
    const courseIds = courseRows.map((row) => row.id);
    await handle.db.insert(courseEnrollments).values(courseIds.map((courseId, n) => ({ studentId: student.id, courseId, completedAt: n === 0 ? new Date() : null })));
    await handle.db.insert(courseRatings).values(courseIds.map((courseId) => ({ courseId, studentId: student.id, rating: 5, review: 'Clear and useful' })));
    const assignmentRows = await handle.db
      .insert(assignments)
      .values([1, 2, 3].map((n) => ({ courseId: courseIds[0]!, title: `Assignment ${n}`, points: 20 })))
      .returning({ id: assignments.id });
    const due = new Date(Date.now() + 3 * DAY);
    // Graded 100% and 80%: a perfect score; two graded items are too few for high_scorer.
    await handle.db.insert(assignmentSubmissions).values(
      assignmentRows.map(({ id }, n) => ({
        studentId: student.id,
        assignmentId: id,
        courseId: courseIds[0]!,
        status: n < 2 ? ('graded' as const) : ('submitted' as const),
        grade: n === 0 ? 20 : n === 1 ? 16 : null,
        dueDate: due,
        submittedAt: new Date(),
      })),
    );
    return { studentId: student.id, assignmentIds: assignmentRows.map((row) => row.id), courseId: courseIds[0]! };
  }

  const award = (studentId: string, after?: readonly BadgeChange[]) =>
    handle.db.transaction(async (tx) => (await awardBadges(tx, studentId, new Date(), after)).sort());

  const held = async (studentId: string) =>
    (await handle.db.select({ badgeType: achievements.badgeType }).from(achievements).where(eq(achievements.studentId, studentId)))
      .map((row) => row.badgeType)
      .sort();

  it('a change awards only the badges it can earn, and checking every change awards the rest once', async () => {
    const { studentId } = await studentMeetingSixBadges();
    expect(await award(studentId, ['lesson_completed'])).toEqual(['seven_day_streak']);
    expect(await held(studentId)).toEqual(['seven_day_streak']);
    expect(await award(studentId, ['reviewed', 'work_submitted'])).toEqual(['early_bird', 'social_learner']);
    expect(await award(studentId, ['graded'])).toEqual(['perfect_score']);
    expect(await award(studentId, [])).toEqual([]);
    expect(await award(studentId)).toEqual(['course_completer', 'first_course']);
    expect(await award(studentId)).toEqual([]);
    expect(await held(studentId)).toEqual(['course_completer', 'early_bird', 'first_course', 'perfect_score', 'seven_day_streak', 'social_learner']);
  });

  it('reads every figure for the achievements page, grades of assignments and quizzes together', async () => {
    const { studentId, assignmentIds } = await studentMeetingSixBadges();
    expect(await badgeStats(handle.db, studentId)).toEqual({
      enrollments: 3,
      completedCourses: 1,
      currentStreak: 8,
      longestStreak: 8,
      gradedItems: 2,
      averageGradePercent: 90,
      perfectScores: 1,
      earlySubmissions: 3,
      reviewsWritten: 3,
    });
    // A third graded item at 95% brings the average over three to 91.67: high_scorer, on a grading change.
    await handle.db.update(assignmentSubmissions).set({ status: 'graded', grade: 19 }).where(eq(assignmentSubmissions.assignmentId, assignmentIds[2]!));
    expect((await badgeStats(handle.db, studentId)).averageGradePercent).toBeCloseTo(91.67, 2);
    expect(await award(studentId, ['graded'])).toEqual(['high_scorer', 'perfect_score']);
  });

  it('an unknown student has no figures and earns nothing', async () => {
    expect(await award(randomUUID())).toEqual([]);
  });

  it('once the badges of a figure are all earned, a change no longer reads it; the achievements page still does', async () => {
    const { studentId } = await studentMeetingSixBadges();
    const plan = async (purpose: StatsPurpose) => {
      const text = statsStatement(new Set(['earlySubmissions', 'grades']), purpose);
      const rows = await queryRows<{ 'QUERY PLAN': string }>(
        handle.db,
        sql`explain (analyze, costs off, timing off, summary off) ${sql.raw(text)}${studentId}`,
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const submissionScans = (text: string) => text.split('\n').filter((line) => line.includes('on assignment_submissions'));
    // Nothing earned yet: both figures are read.
    expect(submissionScans(await plan('award')).some((line) => line.includes('never executed'))).toBe(false);

    expect(await award(studentId, ['work_submitted'])).toEqual(['early_bird']);
    // early_bird is the only badge of its figure: skipped. perfect_score and high_scorer share the grades,
    // and high_scorer is still to earn: read.
    const afterEarning = submissionScans(await plan('award'));
    expect(afterEarning.filter((line) => line.includes('never executed'))).toHaveLength(1);
    expect(afterEarning.filter((line) => !line.includes('never executed')).length).toBeGreaterThan(0);
    expect(submissionScans(await plan('progress')).some((line) => line.includes('never executed'))).toBe(false);
    expect((await badgeStats(handle.db, studentId)).earlySubmissions).toBe(3);
  });
});

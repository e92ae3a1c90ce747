// course_co_enrollments (recommendations' "similar learners") is kept by triggers on course_enrollments:
// after any change, and after concurrent ones, it must equal a count made from the enrolments. On the
// embedded database, and on PostgreSQL when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, queryRows } from '../src/server/db/client.js';
import { courseEnrollments, courses, users } from '../src/server/db/schema.js';
import { openTestDatabase } from './support/database.js';

const databaseUrl = process.env.DATABASE_URL;

interface Pair {
  course_id: string;
  other_course_id: string;
  learners: number;
}

describe(`co-enrolment counts (${databaseUrl ? 'PostgreSQL' : 'embedded database'})`, () => {
  let handle: DatabaseHandle;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ handle, close } = await openTestDatabase('skilled_co_enrollments'));
  });
  afterAll(() => close?.());

  const newUsers = async (count: number, role: 'student' | 'instructor' = 'student'): Promise<string[]> => {
    const rows = Array.from({ length: count }, () => {
      const username = `${role}_${randomUUID().slice(0, 8)}`;
      return { id: randomUUID(), email: `${username}@example.test`, passwordHash: 'not-a-real-hash', firstName: 'Co', lastName: 'Enrolled', username, role };
    });
    await handle.db.insert(users).values(rows);
    return rows.map((row) => row.id);
  };

  const newCourses = async (count: number): Promise<string[]> => {
    const [instructorId] = await newUsers(1, 'instructor');
    const rows = await handle.db
      .insert(courses)
      .values(Array.from({ length: count }, (_, n) => ({ title: `Course ${n}`, category: 'programming' as const, difficultyLevel: 'beginner' as const, instructorId: instructorId! })))
      .returning({ id: courses.id });
    return rows.map((row) => row.id);
  };

  const sortPairs = (pairs: Pair[]) =>
    pairs.map((p) => ({ ...p, learners: Number(p.learners) })).sort((a, b) => a.course_id.localeCompare(b.course_id) || a.other_course_id.localeCompare(b.other_course_id));

  const kept = async () => sortPairs(await queryRows<Pair>(handle.db, sql`select course_id, other_course_id, learners from course_co_enrollments`));

  /** The pairs counted from the enrolments as they are now. */
  const recounted = async () =>
    sortPairs(
      await queryRows<Pair>(
        handle.db,
        sql`select a.course_id, b.course_id as other_course_id, count(*)::int as learners
              from course_enrollments a join course_enrollments b on b.student_id = a.student_id and b.course_id <> a.course_id
             where a.status = 'active' and b.status = 'active'
             group by a.course_id, b.course_id`,
      ),
    );

  const pairOf = async (courseId: string, otherCourseId: string) => (await kept()).find((p) => p.course_id === courseId && p.other_course_id === otherCourseId)?.learners ?? 0;

  it('counts the pairs of a statement enrolling one learner in several courses, and several learners at once', async () => {
    const [a, b, c, d] = await newCourses(4);
    const [s1, s2, s3] = await newUsers(3);
    // One statement: s1 in three courses, s2 in two.
    await handle.db.insert(courseEnrollments).values([
      { studentId: s1!, courseId: a! },
      { studentId: s1!, courseId: b! },
      { studentId: s1!, courseId: c! },
      { studentId: s2!, courseId: a! },
      { studentId: s2!, courseId: b! },
    ]);
    await handle.db.insert(courseEnrollments).values({ studentId: s3!, courseId: d! });
    expect(await pairOf(a!, b!)).toBe(2);
    expect(await pairOf(b!, a!)).toBe(2);
    expect(await pairOf(a!, c!)).toBe(1);
    expect(await pairOf(c!, d!)).toBe(0);
    // A learner's first course makes no pair.
    expect((await kept()).some((p) => p.course_id === d! || p.other_course_id === d!)).toBe(false);
    expect(await kept()).toEqual(await recounted());
  });

  it('follows withdrawals, re-enrolments and deletions, and keeps no empty pair', async () => {
    const [a, b, c] = await newCourses(3);
    const learners = await newUsers(4);
    await handle.db.insert(courseEnrollments).values(learners.flatMap((studentId) => [a!, b!, c!].map((courseId) => ({ studentId, courseId }))));
    expect(await pairOf(a!, b!)).toBe(4);

    // Two learners withdraw from one course in one statement; a completion mark changes nothing.
    await handle.db
      .update(courseEnrollments)
      .set({ status: 'withdrawn', withdrawnAt: new Date() })
      .where(and(inArray(courseEnrollments.studentId, learners.slice(0, 2)), eq(courseEnrollments.courseId, b!)));
    await handle.db.update(courseEnrollments).set({ completedAt: new Date() }).where(eq(courseEnrollments.courseId, a!));
    expect(await pairOf(a!, b!)).toBe(2);
    expect(await pairOf(a!, c!)).toBe(4);
    expect(await kept()).toEqual(await recounted());

    // One comes back.
    await handle.db
      .update(courseEnrollments)
      .set({ status: 'active', withdrawnAt: null })
      .where(and(eq(courseEnrollments.studentId, learners[0]!), eq(courseEnrollments.courseId, b!)));
    expect(await pairOf(b!, c!)).toBe(3);

    // A deleted learner's pairs go, and so do a deleted course's (through its enrolments' deletion).
    await handle.db.delete(users).where(eq(users.id, learners[3]!));
    expect(await pairOf(a!, c!)).toBe(3);
    await handle.db.delete(courses).where(eq(courses.id, c!));
    const after = await kept();
    expect(after.some((p) => p.course_id === c! || p.other_course_id === c!)).toBe(false);
    expect(after.every((p) => p.learners > 0)).toBe(true);
    expect(after).toEqual(await recounted());
  });

  it('stays exact under concurrent enrolments and withdrawals of the same learners', async () => {
    const courseIds = await newCourses(8);
    const learners = await newUsers(6);
    const enrol = (studentId: string, courseId: string) =>
      handle.db.transaction(async (tx) => {
        await tx.insert(courseEnrollments).values({ studentId, courseId });
      });
    // Every learner joins every course, each enrolment its own transaction, all at once.
    await Promise.all(learners.flatMap((studentId) => courseIds.map((courseId) => enrol(studentId, courseId))));
    expect(await pairOf(courseIds[0]!, courseIds[7]!)).toBe(learners.length);
    expect(await kept()).toEqual(await recounted());

    // Then, at once: each learner withdraws from two courses and re-joins one of them.
    await Promise.all(
      learners.map(async (studentId, n) => {
        const [first, second] = [courseIds[n % 8]!, courseIds[(n + 3) % 8]!];
        await Promise.all(
          [first, second].map((courseId) =>
            handle.db
              .update(courseEnrollments)
              .set({ status: 'withdrawn', withdrawnAt: new Date() })
              .where(and(eq(courseEnrollments.studentId, studentId), eq(courseEnrollments.courseId, courseId))),
          ),
        );
        await handle.db
          .update(courseEnrollments)
          .set({ status: 'active', withdrawnAt: null })
          .where(and(eq(courseEnrollments.studentId, studentId), eq(courseEnrollments.courseId, first)));
      }),
    );
    expect(await kept()).toEqual(await recounted());
  });

  it('is rebuilt from the enrolments by course_co_enrollments_rebuild() (used after a bulk load without triggers)', async () => {
    const before = await kept();
    expect(before.length).toBeGreaterThan(0);
    await handle.db.execute(sql`delete from course_co_enrollments`);
    await handle.db.execute(sql`select course_co_enrollments_rebuild()`);
    expect(await kept()).toEqual(before);
  });
});

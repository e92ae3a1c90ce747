// Demo data for a fresh installation: the accounts listed in the README, a catalogue of courses and
// eight weeks of learning history. Deterministic in content (a seeded PRNG, dates relative to
// today), written in one transaction, and skipped when the demo instructor already exists.
import { randomUUID } from 'node:crypto';
import { count, inArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { awardBadges, badgeRules } from '../features/achievements/rules.js';
import { hashPassword } from '../features/auth/passwords.js';
import type { Database, Executor } from './client.js';
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
} from './schema.js';
import { Calendar, Random, buildCatalogue } from './seed-catalogue.js';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORDS } from './seed-content.js';
import { simulateStudents } from './seed-history.js';
import { recordHistory } from './seed-records.js';

/** Changing it changes the whole demo story; keep it fixed. */
const DEMO_SEED = 20_260_101;
const BATCH_SIZE = 500;
export const DEMO_INSTRUCTOR_EMAIL = `instructor@${DEMO_EMAIL_DOMAIN}`;

export interface SeedCounts {
  users: number;
  courses: number;
  prerequisites: number;
  lessons: number;
  assignments: number;
  quizzes: number;
  quizQuestions: number;
  enrollments: number;
  lessonCompletions: number;
  studySessions: number;
  submissions: number;
  quizSubmissions: number;
  ratings: number;
  achievements: number;
  activities: number;
}

export type SeedResult = { seeded: false } | ({ seeded: true; durationMs: number } & SeedCounts);

async function insertInBatches<T extends PgTable>(db: Executor, table: T, rows: T['$inferInsert'][]): Promise<number> {
  for (let start = 0; start < rows.length; start += BATCH_SIZE) {
    await db.insert(table).values(rows.slice(start, start + BATCH_SIZE));
  }
  return rows.length;
}

/** Loads the demo data once: returns `{ seeded: false }` without writing if the demo instructor exists. */
export async function seedDemoData(db: Database): Promise<SeedResult> {
  const startedAt = Date.now();
  const alreadySeeded = async (executor: Executor) =>
    (await executor.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${DEMO_INSTRUCTOR_EMAIL}`).limit(1)).length > 0;
  if (await alreadySeeded(db)) return { seeded: false };

  // One hash per role: argon2 is deliberately slow, and every demo user of a role shares the password.
  const [admin, instructor, student] = await Promise.all([
    hashPassword(DEMO_PASSWORDS.admin),
    hashPassword(DEMO_PASSWORDS.instructor),
    hashPassword(DEMO_PASSWORDS.student),
  ]);
  const now = new Date();
  const rng = new Random(DEMO_SEED);
  const calendar = new Calendar(now);
  const catalogue = buildCatalogue(rng, calendar, { admin, instructor });
  const students = simulateStudents(rng, calendar, catalogue.courses, student);
  const history = recordHistory(rng, calendar, students);

  const counts = await db.transaction(async (tx) => {
    if (await alreadySeeded(tx)) return null;
    const people = [...catalogue.instructors, ...students.map((s) => s.user)];
    // The admin may exist already (ADMIN_EMAIL, or an earlier partial setup): keep that account.
    const adminTaken = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${catalogue.admin.email}`).limit(1);
    if (adminTaken.length === 0) {
      const usernameTaken = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${catalogue.admin.username}`).limit(1);
      people.unshift(usernameTaken.length ? { ...catalogue.admin, username: `${catalogue.admin.username}.demo` } : catalogue.admin);
    }
    const { rows } = catalogue;
    const written = {
      users: await insertInBatches(tx, users, people),
      courses: await insertInBatches(tx, courses, rows.courses),
      prerequisites: await insertInBatches(tx, coursePrerequisites, rows.prerequisites),
      lessons: await insertInBatches(tx, lessons, rows.lessons),
      assignments: await insertInBatches(tx, assignments, rows.assignments),
      quizzes: await insertInBatches(tx, quizzes, rows.quizzes),
      quizQuestions: await insertInBatches(tx, quizQuestions, rows.questions),
      enrollments: await insertInBatches(tx, courseEnrollments, history.enrollments),
      lessonCompletions: await insertInBatches(tx, lessonCompletions, history.lessonCompletions),
      studySessions: await insertInBatches(tx, studySessions, history.studySessions),
      submissions: await insertInBatches(tx, assignmentSubmissions, history.submissions),
      quizSubmissions: await insertInBatches(tx, quizSubmissions, history.quizSubmissions),
      ratings: await insertInBatches(tx, courseRatings, history.ratings),
    };

    // Badges follow the real rules, evaluated on the data just written.
    const earned: (typeof activities.$inferInsert)[] = [];
    for (const { user } of students) {
      for (const badge of await awardBadges(tx, user.id, now)) {
        earned.push({ id: randomUUID(), userId: user.id, type: 'achievement_earned', title: `Earned ${badgeRules[badge].title}`, createdAt: now });
      }
    }
    const timeline = await insertInBatches(tx, activities, [...history.activities, ...earned]);
    const studentIds = students.map((s) => s.user.id);
    const [badges] = await tx.select({ n: count() }).from(achievements).where(inArray(achievements.studentId, studentIds));
    return { ...written, achievements: badges?.n ?? 0, activities: timeline };
  });
  if (!counts) return { seeded: false };
  return { seeded: true, durationMs: Date.now() - startedAt, ...counts };
}

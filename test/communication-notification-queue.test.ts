// The notification queue: notifications to a whole course or platform are written once the change has
// committed, by the job of the instance that committed it; a row no instance was woken for is written at
// the next poll; a row that cannot be written is tried again later, gives up after its attempts, and
// holds back nothing queued after it; a whole audience is written a page of recipients per transaction.
// On platforms of their own, so that each queue is its tests' only.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/server/db/client.js';
import { notificationQueue } from '../src/server/db/schema.js';
import { MAX_NOTIFICATION_ATTEMPTS, writeQueuedNotifications } from '../src/server/features/communication/notification-queue.js';
import type { TestUser } from './support/api.js';
import { type OwnPlatform, ownCourse, ownPlatform } from './support/communication.js';

const POLL_SECONDS = 0.3;

describe('queued notifications (a platform of its own)', () => {
  let platform: OwnPlatform;
  beforeAll(async () => {
    platform = await ownPlatform({ MAIL_POLL_SECONDS: String(POLL_SECONDS) });
  });
  afterAll(() => platform?.close());

  const queue = () => platform.database.db.select().from(notificationQueue).orderBy(notificationQueue.id);
  const notificationsOf = async (user: TestUser, type: string): Promise<any[]> => {
    const res = await platform.call('GET', '/api/notifications', { token: user.token, query: { type, limit: 100 } });
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const queueDirectly = async (notification: Record<string, unknown>) => {
    const [row] = await platform.database.db.insert(notificationQueue).values({ notification }).returning();
    return row!;
  };

  /** How many rows were ever queued. */
  const rowsQueued = async () => {
    const [sequence] = await queryRows<{ queued: number }>(
      platform.database.db,
      sql`select case when is_called then last_value else 0 end::int as queued from notification_queue_id_seq`,
    );
    return sequence!.queued;
  };

  it("a course edit queues its students' notifications as one row, written once it has committed; the queue is empty after", async () => {
    const { instructor, courseId, students } = await ownCourse(platform, 3);
    const queuedBefore = await rowsQueued();
    const edit = await platform.call('PUT', `/api/courses/${courseId}`, { token: instructor.token, body: { description: 'New outline' } });
    expect(edit.status).toBe(200);
    for (const student of students) {
      await expect.poll(async () => (await notificationsOf(student, 'course_updated')).map((n) => n.data), { timeout: 5_000, interval: 25 }).toEqual([{ courseId }]);
    }
    expect(await notificationsOf(instructor, 'course_updated')).toEqual([]);
    expect(await rowsQueued()).toBe(queuedBefore + 1);
    await expect.poll(async () => (await queue()).length, { timeout: 5_000, interval: 25 }).toBe(0);
  });

  it('writes at the next poll a row no instance was woken for (queued by an instance that stopped before writing it)', async () => {
    const { students } = await ownCourse(platform, 1);
    const student = students[0]!;
    const row = await queueDirectly({ recipients: { userIds: [student.id] }, type: 'course_updated', title: 'Queued elsewhere', body: 'b' });
    await expect
      .poll(async () => (await notificationsOf(student, 'course_updated')).map((n) => n.title), { timeout: POLL_SECONDS * 1000 * 10, interval: 25 })
      .toEqual(['Queued elsewhere']);
    expect((await queue()).map((queued) => queued.id)).not.toContain(row.id);
  });

  it('tries a row that cannot be written again later, gives up after its attempts, and writes the rows queued after it meanwhile', async () => {
    const { students } = await ownCourse(platform, 1);
    const student = students[0]!;
    const broken = await queueDirectly({ recipients: { userIds: ['not-a-uuid'] }, type: 'course_updated', title: 'Broken', body: 'b' });
    await queueDirectly({ recipients: { userIds: [student.id] }, type: 'course_updated', title: 'Behind the broken one', body: 'b' });

    await expect
      .poll(async () => (await notificationsOf(student, 'course_updated')).map((n) => n.title), { timeout: POLL_SECONDS * 1000 * 10, interval: 25 })
      .toEqual(['Behind the broken one']);
    const [afterFirst] = await platform.database.db.select().from(notificationQueue).where(eq(notificationQueue.id, broken.id));
    expect(afterFirst).toMatchObject({ attempts: 1, failedAt: null, lastError: expect.stringMatching(/uuid/i) });
    // Retried 30 seconds later at the earliest, not at the next poll.
    expect(afterFirst!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(platform.logs.some((line) => line.includes('writing queued notifications failed; it will be tried again'))).toBe(true);

    // Its last attempt is due now.
    await platform.database.db
      .update(notificationQueue)
      .set({ attempts: MAX_NOTIFICATION_ATTEMPTS - 1, nextAttemptAt: new Date() })
      .where(eq(notificationQueue.id, broken.id));
    await expect
      .poll(async () => (await platform.database.db.select().from(notificationQueue).where(eq(notificationQueue.id, broken.id)))[0]?.failedAt, {
        timeout: POLL_SECONDS * 1000 * 10,
        interval: 25,
      })
      .toBeInstanceOf(Date);
    const [given] = await platform.database.db.select().from(notificationQueue).where(eq(notificationQueue.id, broken.id));
    expect(given!.attempts).toBe(MAX_NOTIFICATION_ATTEMPTS);
    expect(platform.logs.some((line) => line.includes('writing queued notifications failed; giving up'))).toBe(true);
    // Kept for whoever looks into it, and never taken again; the metrics count it.
    expect((await queue()).map((queued) => queued.id)).toEqual([broken.id]);
    const metrics = await platform.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('skilled_queue_rows{queue="notifications",state="failed"} 1\n');
    expect(metrics.body).toContain('skilled_queue_rows{queue="notifications",state="waiting"} 0\n');
    expect(metrics.body).toMatch(/skilled_queue_rows\{queue="mail",state="failed"\} 0\n/);
  });
});

describe('a whole audience, a page per transaction (a platform of its own whose job does not poll)', () => {
  let platform: OwnPlatform;
  beforeAll(async () => {
    platform = await ownPlatform({ MAIL_POLL_SECONDS: '3600' });
  });
  afterAll(() => platform?.close());

  it("writes a course's students a page at a time, in id order, going on after the last one written, each once", async () => {
    const { courseId, students } = await ownCourse(platform, 5);
    const byId = [...students].sort((a, b) => (a.id < b.id ? -1 : 1));
    const db = platform.database.db;
    // Queued straight into the table: no instance is woken, and this one does not poll, so only the calls below write it.
    const [row] = await db
      .insert(notificationQueue)
      .values({ notification: { recipients: { courseStudents: courseId }, type: 'course_updated', title: 'Paged', body: 'b' } })
      .returning();
    const titlesOf = async (student: TestUser) => {
      const res = await platform.call('GET', '/api/notifications', { token: student.token, query: { type: 'course_updated' } });
      return res.body.data.map((n: { title: string }) => n.title);
    };
    const quiet = platform.app.log;

    expect(await writeQueuedNotifications(db, quiet, { transactions: 1, recipientsPerTransaction: 2 })).toEqual({ written: 0, pages: 1, failed: 0, more: true });
    expect(await Promise.all(byId.map(titlesOf))).toEqual([['Paged'], ['Paged'], [], [], []]);
    const [afterFirst] = await db.select().from(notificationQueue).where(eq(notificationQueue.id, row!.id));
    expect(afterFirst!.afterUserId).toBe(byId[1]!.id);

    expect(await writeQueuedNotifications(db, quiet, { transactions: 10, recipientsPerTransaction: 2 })).toEqual({ written: 1, pages: 1, failed: 0, more: false });
    expect(await Promise.all(byId.map(titlesOf))).toEqual([['Paged'], ['Paged'], ['Paged'], ['Paged'], ['Paged']]);
    expect(await db.select().from(notificationQueue)).toEqual([]);
  });
});

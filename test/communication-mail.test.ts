// Mail, on a platform of its own whose SMTP_URL points at an SMTP server this test runs on loopback: a
// notification is mailed after its change commits (as the preferences say), a failed send is logged and
// tried again a bounded number of times without touching the notification, the daily digest sends one mail
// (also with two instances at once), and the instructor alerts about students fire once each.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox } from '../src/server/db/schema.js';
import { queueStudentAlerts } from '../src/server/features/communication/alerts.js';
import { queueDigests } from '../src/server/features/communication/digest.js';
import { createMailer } from '../src/server/features/communication/mailer.js';
import { deliverDueMail, MAX_MAIL_ATTEMPTS } from '../src/server/features/communication/outbox.js';
import type { TestUser } from './support/api.js';
import { type OwnPlatform, ownCourse, ownPlatform, type ReceivedMail, startSmtpServer, type TestSmtpServer } from './support/communication.js';

const PUBLIC_URL = 'https://learn.example.com';
const DAY_MS = 86_400_000;

let smtp: TestSmtpServer;
let platform: OwnPlatform;
let admin: TestUser;

beforeAll(async () => {
  smtp = await startSmtpServer();
  platform = await ownPlatform({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'skillEd <notify@learn.example.com>',
    PUBLIC_URL,
    MAIL_POLL_SECONDS: '0.1',
    // The digest and alert checks are run by the tests themselves, at the times they choose.
    NOTIFICATION_JOBS_SECONDS: '3600',
    // Every account here signs in from 127.0.0.1.
    RATE_LIMIT_IP_MAX: '1000000',
    RATE_LIMIT_USER_MAX: '1000000',
    RATE_LIMIT_AUTH_MAX: '1000000',
  });
  admin = await platform.account('admin');
});
afterAll(async () => {
  await platform?.close();
  await smtp?.close();
});

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const outboxOf = (userId: string) => platform.database.db.select().from(mailOutbox).where(eq(mailOutbox.userId, userId));
const deliveryDeps = () => ({
  db: platform.database.db,
  mailer: createMailer({ smtpUrl: smtp.url, from: platform.config.mail.from }, platform.app.log),
  log: platform.app.log,
  publicUrl: PUBLIC_URL,
});
/** Mail to the user whose subject matches (accounts get other mail too, such as address verification). */
const to = (user: TestUser, subject: RegExp) => (mail: ReceivedMail) => mail.to.includes(user.email.toLowerCase()) && subject.test(mail.subject);
const MESSAGE_MAIL = /^New message from /;
const DIGEST_MAIL = /^Your skillEd digest/;

const message = (from: TestUser, to: TestUser, body: string) =>
  platform.call('POST', '/api/messages', { token: from.token, body: { recipientId: to.id, body } });

async function gradedWork(grade: number) {
  const setup = await ownCourse(platform, 1, { dueDate: new Date(Date.now() + 3 * DAY_MS).toISOString() });
  const student = setup.students[0]!;
  const submitted = await platform.call('POST', '/api/assignments/submit', {
    token: student.token,
    body: { assignmentId: setup.assignmentId, submissionContent: 'My essay' },
  });
  expect(submitted.status).toBe(201);
  const graded = () =>
    platform.call('POST', `/api/assignments/${setup.assignmentId}/grade`, {
      token: setup.instructor.token,
      body: { submissionId: submitted.body.data.submissionId, grade, feedback: 'Well argued' },
    });
  return { ...setup, student, graded };
}

describe('a notification by mail', () => {
  it('is sent after the change commits: the request does not wait for the SMTP server', async () => {
    const work = await gradedWork(8);
    const release = smtp.hold();
    try {
      const res = await work.graded();
      // Answered while the SMTP server has not accepted anything yet.
      expect(res.status).toBe(200);
      await until(async () => smtp.held().filter(to(work.student, /^Graded: /)).length, (n) => n === 1, 'the mail reaching the SMTP server');
    } finally {
      release();
    }
    const mail = await smtp.waitFor(to(work.student, /^Graded: /));
    expect(mail.from).toBe('notify@learn.example.com');
    expect(mail.subject).toMatch(/^Graded: Essay /);
    expect(mail.text).toContain(`Hi ${work.student.firstName},`);
    expect(mail.text).toContain('You scored 8/10 on Essay');
    expect(mail.text).toContain('Feedback: Well argued');
    expect(mail.text).toContain(`${PUBLIC_URL}/assignments/${work.assignmentId}`);
    expect(mail.text).toContain(`${PUBLIC_URL}/settings/notifications`);
    const [row] = await until(() => outboxOf(work.student.id), (rows) => rows[0]?.status === 'sent', 'the outbox row marked sent');
    expect(row).toMatchObject({ kind: 'notification', attempts: 1, lastError: null });
    // The instructor wants no mail for submissions (the default): nothing was queued for them.
    expect(await outboxOf(work.instructor.id)).toEqual([]);
  });

  it('is not sent when the profile switch or the type\'s email channel is off; the in-app notification stays', async () => {
    const [muted, noMessageMail, control] = [await platform.account('student'), await platform.account('student'), await platform.account('student')];
    const off = await platform.call('PUT', '/api/profile/preferences', { token: muted.token, body: { userId: muted.id, notificationPreference: false } });
    expect(off.status).toBe(200);
    const channel = await platform.call('PUT', '/api/notifications/preferences', {
      token: noMessageMail.token,
      body: { types: { message_received: { email: false } } },
    });
    expect(channel.status).toBe(200);
    for (const user of [muted, noMessageMail, control]) expect((await message(admin, user, `Hello ${user.username}`)).status).toBe(201);

    await smtp.waitFor(to(control, MESSAGE_MAIL));
    // Mail is queued in the transaction of the change: none was for these two, so none will ever leave.
    for (const user of [muted, noMessageMail]) {
      expect(await outboxOf(user.id)).toEqual([]);
      expect(smtp.received.filter(to(user, MESSAGE_MAIL))).toEqual([]);
      const notes = await platform.call('GET', '/api/notifications', { token: user.token, query: { type: 'message_received' } });
      expect(notes.body.data).toHaveLength(1);
    }
  });

  it('that fails is logged and sent again later; the notification is untouched', async () => {
    const student = await platform.account('student');
    smtp.refuseNext(1, to(student, MESSAGE_MAIL));
    expect((await message(admin, student, 'Retry me')).status).toBe(201);
    const [failed] = await until(() => outboxOf(student.id), (rows) => rows[0]?.status === 'pending' && rows[0].attempts === 1, 'the first attempt failing');
    expect(failed!.lastError).toMatch(/451|try again/i);
    expect(failed!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(platform.logs.some((line) => line.includes('sending a notification mail failed; it will be tried again'))).toBe(true);
    expect(smtp.received.filter(to(student, MESSAGE_MAIL))).toEqual([]);

    // Its retry time, reached.
    const report = await deliverDueMail(deliveryDeps(), new Date(Date.now() + 60_000));
    expect(report.sent).toBeGreaterThanOrEqual(1);
    const mail = await smtp.waitFor(to(student, MESSAGE_MAIL));
    expect(mail.subject).toBe(`New message from ${admin.firstName} ${admin.lastName}`);
    expect(mail.text).toContain('Retry me');
    const [sent] = await outboxOf(student.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    const notes = await platform.call('GET', '/api/notifications', { token: student.token });
    expect(notes.body.data).toEqual([expect.objectContaining({ type: 'message_received', body: 'Retry me', readAt: null })]);
  });

  it(`is given up after ${MAX_MAIL_ATTEMPTS} attempts, counted by the metrics, and the notification is still there`, async () => {
    const failedMail = async () => {
      const metrics = await platform.call('GET', '/metrics');
      expect(metrics.status).toBe(200);
      return Number(/^skilled_queue_rows\{queue="mail",state="failed"\} (\d+)$/m.exec(metrics.body)?.[1]);
    };
    const failedBefore = await failedMail();
    const student = await platform.account('student');
    smtp.refuseAlways(to(student, MESSAGE_MAIL));
    expect((await message(admin, student, 'Never delivered')).status).toBe(201);
    await until(() => outboxOf(student.id), (rows) => rows[0]?.attempts === 1 && rows[0].status === 'pending', 'the first attempt');
    let clock = Date.now();
    for (let attempt = 2; attempt <= MAX_MAIL_ATTEMPTS + 2; attempt++) {
      clock += 3_600_000;
      await deliverDueMail(deliveryDeps(), new Date(clock));
    }
    const [row] = await outboxOf(student.id);
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_MAIL_ATTEMPTS });
    expect(smtp.refused.filter(to(student, MESSAGE_MAIL))).toHaveLength(MAX_MAIL_ATTEMPTS);
    expect(platform.logs.some((line) => line.includes('sending a notification mail failed; giving up'))).toBe(true);
    expect(await failedMail()).toBe(failedBefore + 1);
    const notes = await platform.call('GET', '/api/notifications', { token: student.token });
    expect(notes.body.data.map((n: any) => n.body)).toEqual(['Never delivered']);
  });
});

describe('the daily digest', () => {
  it('replaces single mails, and sends one mail a day listing what is new and unread (one, with two instances at once)', async () => {
    const student = await platform.account('student');
    const set = await platform.call('PUT', '/api/notifications/preferences', { token: student.token, body: { digest: 'daily' } });
    expect(set.body.data.digest).toBe('daily');
    for (const body of ['First news', 'Second news', 'Third news']) expect((await message(admin, student, body)).status).toBe(201);
    // No single mails for a digest user.
    expect(await outboxOf(student.id)).toEqual([]);
    const notes = await platform.call('GET', '/api/notifications', { token: student.token });
    const first = notes.body.data.find((n: any) => n.body === 'First news');
    expect((await platform.call('POST', '/api/notifications/read', { token: student.token, body: { ids: [first.notificationId] } })).status).toBe(200);

    const sibling = process.env.DATABASE_URL ? await platform.sibling() : null;
    try {
      const other = sibling?.database.db ?? platform.database.db;
      const runs = await Promise.all([queueDigests(platform.database.db, { hourUtc: 7 }), queueDigests(other, { hourUtc: 7 })]);
      expect(runs.reduce((sum, run) => sum + run.queued, 0)).toBe(1);
    } finally {
      await sibling?.close();
    }
    const [queued] = await outboxOf(student.id);
    expect(queued!.kind).toBe('digest');
    const mail = await smtp.waitFor(to(student, DIGEST_MAIL));
    expect(mail.subject).toBe('Your skillEd digest: 2 notifications');
    expect(mail.text).toContain('Second news');
    expect(mail.text).toContain('Third news');
    expect(mail.text).not.toContain('First news');
    expect(mail.text).toContain(`${PUBLIC_URL}/messages/`);

    // Once a day: running again the same day sends nothing more.
    const again = await queueDigests(platform.database.db, { hourUtc: 7 });
    expect(again.queued).toBe(0);
    await until(() => outboxOf(student.id), (rows) => rows.every((row) => row.status === 'sent'), 'the digest sent');
    expect(await outboxOf(student.id)).toHaveLength(1);
    expect(smtp.received.filter(to(student, DIGEST_MAIL))).toHaveLength(1);
    expect(smtp.received.filter(to(student, MESSAGE_MAIL))).toEqual([]);
  });

  it('the next day lists only what arrived since', async () => {
    const student = await platform.account('student');
    await platform.call('PUT', '/api/notifications/preferences', { token: student.token, body: { digest: 'daily' } });
    await message(admin, student, 'Day one');
    const today = new Date();
    expect((await queueDigests(platform.database.db, { hourUtc: 7, now: today })).queued).toBeGreaterThanOrEqual(1);
    await message(admin, student, 'Day two');
    await queueDigests(platform.database.db, { hourUtc: 7, now: new Date(today.getTime() + DAY_MS) });
    const mails = await until(
      async () => smtp.received.filter(to(student, DIGEST_MAIL)),
      (list) => list.length === 2,
      'two digests',
    );
    expect(mails.map((m) => m.subject)).toEqual(['Your skillEd digest: 1 notification', 'Your skillEd digest: 1 notification']);
    // The two mails may be sent at once and arrive in either order: the second day's lists only its news.
    const secondDay = mails.filter((m) => m.text.includes('Day two'));
    expect(secondDay).toHaveLength(1);
    expect(secondDay[0]!.text).not.toContain('Day one');
  });
});

describe('alerts about students', () => {
  it('tell an instructor who opted in, once, of a week without activity and of a missed due date', async () => {
    const due = new Date(Date.now() + 3 * DAY_MS).toISOString();
    const watched = await ownCourse(platform, 2, { dueDate: due });
    const unwatched = await ownCourse(platform, 1, { dueDate: due });
    const optIn = await platform.call('PUT', '/api/notifications/preferences', {
      token: watched.instructor.token,
      body: { types: { student_inactive: { inApp: true }, assignment_missed: { inApp: true, email: true } } },
    });
    expect(optIn.status).toBe(200);
    const [diligent, absent] = watched.students as [TestUser, TestUser];
    expect(
      (await platform.call('POST', '/api/assignments/submit', { token: diligent.token, body: { assignmentId: watched.assignmentId, submissionContent: 'Done' } }))
        .status,
    ).toBe(201);

    // Not yet: nobody has been away a week, nothing is due.
    expect((await queueStudentAlerts(platform.database.db)).created).toBe(0);

    // Eight days on: both students have been inactive for a week, and the absent one missed the due date.
    const later = new Date(Date.now() + 8 * DAY_MS);
    const first = await queueStudentAlerts(platform.database.db, later);
    const list = async (type: string) =>
      (await platform.call('GET', '/api/notifications', { token: watched.instructor.token, query: { type } })).body.data;
    const inactive = await list('student_inactive');
    expect(inactive.map((n: any) => n.data.studentId).sort()).toEqual([diligent.id, absent.id].sort());
    expect(inactive[0]).toMatchObject({ link: `/courses/${watched.courseId}/at-risk`, data: { courseId: watched.courseId } });
    expect(inactive[0].title).toMatch(/has been inactive in Course /);
    const missed = await list('assignment_missed');
    expect(missed).toEqual([
      expect.objectContaining({
        title: `${absent.firstName} ${absent.lastName} missed ${missed[0]?.title.split(' missed ')[1]}`,
        data: { courseId: watched.courseId, assignmentId: watched.assignmentId, studentId: absent.id },
      }),
    ]);
    expect(first.created).toBe(3);
    const mail = await smtp.waitFor(to(watched.instructor, / missed /));
    expect(mail.subject).toBe(missed[0].title);
    expect(mail.text).toContain(`${PUBLIC_URL}/assignments/${watched.assignmentId}/submissions`);

    // Again, and a day later: nothing new.
    expect((await queueStudentAlerts(platform.database.db, later)).created).toBe(0);
    expect((await queueStudentAlerts(platform.database.db, new Date(later.getTime() + DAY_MS))).created).toBe(0);
    expect(await list('student_inactive')).toHaveLength(2);
    expect(await list('assignment_missed')).toHaveLength(1);

    // An instructor who did not opt in hears nothing.
    const quiet = await platform.call('GET', '/api/notifications', { token: unwatched.instructor.token, query: { limit: 100 } });
    expect(quiet.body.data.filter((n: any) => n.type === 'student_inactive' || n.type === 'assignment_missed')).toEqual([]);
  });
});

// Announcements: a course's instructor (or an admin) posts to the course; admins post to everyone. Who may
// post and read, validation, the rendered body, the notifications and the live event. Platform-wide
// announcements reach every user, so they are tested on a platform of their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createCourse, createInstructor, createStudent, enroll, signInAdmin, type TestUser } from './support/api.js';
import {
  ISO,
  listAnnouncements,
  notificationsOfType,
  notificationsOnceThere,
  type OwnPlatform,
  ownCourse,
  ownPlatform,
  postAnnouncement,
  UUID,
} from './support/communication.js';
import { connectWs, isEvent, settle } from './support/realtime.js';

async function courseWithMembers() {
  const instructor = await createInstructor();
  const course = await createCourse(instructor);
  const student = await createStudent();
  await enroll(student, course.courseId);
  return { instructor, course, courseId: course.courseId as string, student };
}

describe('POST /api/announcements', () => {
  it("posts to a course its instructor teaches; the answer is the announcement with its author and rendered body", async () => {
    const { instructor, course, courseId } = await courseWithMembers();
    const res = await postAnnouncement(instructor, {
      courseId,
      title: '  Exam moved  ',
      body: 'The exam is **Friday**.\n\n<script>alert(1)</script>\n\n[notes](javascript:alert(1)) and [site](https://example.com)',
    });
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('Announcement posted successfully');
    const data = res.body.data;
    expect(data).toMatchObject({
      announcementId: expect.stringMatching(UUID),
      courseId,
      course: { courseId, title: course.title },
      title: 'Exam moved',
      author: { id: instructor.id, firstName: instructor.firstName, lastName: instructor.lastName, role: 'instructor' },
      createdAt: expect.stringMatching(ISO),
    });
    expect(data.body).toContain('<script>alert(1)</script>');
    expect(data.bodyHtml).toContain('<strong>Friday</strong>');
    expect(data.bodyHtml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(data.bodyHtml).not.toContain('<script');
    expect(data.bodyHtml).not.toMatch(/href="javascript/i);
    expect(data.bodyHtml).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>');

    const admin = await signInAdmin();
    const audit = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'announcement.create', targetId: data.announcementId } });
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ actor: { id: instructor.id }, after: { courseId, title: 'Exam moved' } });
  });

  it('lets an admin post to any course', async () => {
    const { courseId } = await courseWithMembers();
    const admin = await signInAdmin();
    const res = await postAnnouncement(admin, { courseId, title: 'From the platform team', body: 'Hello' });
    expect(res.status).toBe(201);
    expect(res.body.data.author.role).toBe('admin');
  });

  it('refuses students, instructors of other courses, instructors without a course, and anonymous callers', async () => {
    const { courseId, student } = await courseWithMembers();
    const otherInstructor = await createInstructor();
    const body = { courseId, title: 'Hi', body: 'There' };
    expect((await postAnnouncement(student, body)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await postAnnouncement(otherInstructor, body)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const platformWide = await postAnnouncement(otherInstructor, { title: 'Hi all', body: 'There' });
    expect(platformWide.body).toMatchObject({ status: 403, code: 'FORBIDDEN', error: expect.stringMatching(/admins/) });
    expect((await postAnnouncement(otherInstructor, { courseId: null, title: 'Hi all', body: 'There' })).status).toBe(403);
    expect((await postAnnouncement(undefined, body)).body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    // Nothing of it was kept.
    const list = await listAnnouncements(student, { courseId });
    expect(list.body.data).toEqual([]);
  });

  it('answers 404 for an unknown course and 400 for invalid fields', async () => {
    const instructor = await createInstructor();
    const unknown = await postAnnouncement(instructor, { courseId: '00000000-0000-4000-8000-000000000000', title: 'a', body: 'b' });
    expect(unknown.body).toMatchObject({ status: 404, code: 'COURSE_NOT_FOUND' });
    const cases: [unknown, string][] = [
      [{ title: 'a' }, 'body.body'],
      [{ body: 'b' }, 'body.title'],
      [{ title: '   ', body: 'b' }, 'body.title'],
      [{ title: 'a', body: 'x'.repeat(10_001) }, 'body.body'],
      [{ title: 't'.repeat(201), body: 'b' }, 'body.title'],
      [{ courseId: 'nope', title: 'a', body: 'b' }, 'body.courseId'],
    ];
    for (const [body, field] of cases) {
      const res = await postAnnouncement(instructor, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details)).toContain(field);
    }
  });

  it("notifies the course's members (not the author, not outsiders, not students who left)", async () => {
    const { instructor, courseId, student } = await courseWithMembers();
    const classmate = await createStudent();
    await enroll(classmate, courseId);
    const leaver = await createStudent();
    await enroll(leaver, courseId);
    expect((await api('DELETE', `/api/courses/${courseId}/enroll`, { token: leaver.token })).status).toBe(200);
    const outsider = await createStudent();
    const admin = await signInAdmin();

    const posted = await postAnnouncement(admin, { courseId, title: 'Room change', body: 'We meet in **B12** from now on.' });
    const announcementId = posted.body.data.announcementId;
    for (const member of [student, classmate, instructor]) {
      const mine = (n: any) => n.data.announcementId === announcementId;
      const [notification] = (await notificationsOnceThere(member, 'announcement_posted', mine)).filter(mine);
      expect(notification).toMatchObject({
        type: 'announcement_posted',
        title: expect.stringContaining('Room change'),
        body: 'We meet in **B12** from now on.',
        link: `/courses/${courseId}/announcements`,
        data: { announcementId, courseId },
        readAt: null,
      });
    }
    for (const other of [leaver, outsider]) {
      expect((await notificationsOfType(other, 'announcement_posted')).filter((n) => n.data.announcementId === announcementId)).toEqual([]);
    }
    const own = await notificationsOfType(admin, 'announcement_posted');
    expect(own.filter((n) => n.data.announcementId === announcementId)).toEqual([]);
  });

  it('emits announcement.posted to the members watching the course, and to nobody else', async () => {
    const { instructor, courseId, student } = await courseWithMembers();
    const outsider = await createStudent();
    const memberWs = await connectWs({ token: student.token });
    const instructorWs = await connectWs({ token: instructor.token });
    const outsiderWs = await connectWs({ token: outsider.token });
    try {
      for (const client of [memberWs, instructorWs]) {
        client.send({ type: 'subscribe', courseId });
        await client.waitFor((m) => m.type === 'subscribed');
      }
      const posted = await postAnnouncement(instructor, { courseId, title: 'Live', body: 'Now' });
      const announcementId = posted.body.data.announcementId;
      const event = await memberWs.waitFor(isEvent('announcement.posted', { announcementId }));
      expect(event.data).toEqual({ announcementId, courseId });
      await instructorWs.waitFor(isEvent('announcement.posted', { announcementId }));
      // The member's notification came too; the outsider gets a marker of their own, and nothing before it.
      await memberWs.waitFor((m) => m.type === 'notification.new' && m.data.type === 'announcement_posted');
      const admin = await signInAdmin();
      const marker = await api('POST', '/api/messages', { token: admin.token, body: { recipientId: outsider.id, body: 'marker' } });
      expect(marker.status).toBe(201);
      await outsiderWs.waitFor(isEvent('message.received', { messageId: marker.body.data.messageId }));
      await settle(100);
      expect(outsiderWs.events().filter((e) => e.type === 'announcement.posted')).toEqual([]);
    } finally {
      await Promise.all([memberWs.close(), instructorWs.close(), outsiderWs.close()]);
    }
  });
});

describe('GET /api/announcements', () => {
  let setup: Awaited<ReturnType<typeof courseWithMembers>>;
  let outsider: TestUser;
  const titles: string[] = [];
  beforeAll(async () => {
    setup = await courseWithMembers();
    outsider = await createStudent();
    for (const title of ['first', 'second', 'third']) {
      const res = await postAnnouncement(setup.instructor, { courseId: setup.courseId, title, body: `${title} body` });
      expect(res.status).toBe(201);
      titles.push(title);
    }
  });

  it("lists a member's course announcements newest first, paginated", async () => {
    for (const member of [setup.student, setup.instructor]) {
      const res = await listAnnouncements(member, { courseId: setup.courseId });
      expect(res.status).toBe(200);
      expect(res.body.data.map((a: any) => a.title)).toEqual(['third', 'second', 'first']);
      expect(res.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 3, totalPages: 1, hasNext: false, hasPrev: false });
    }
    const page2 = await listAnnouncements(setup.student, { courseId: setup.courseId, limit: 2, page: 2 });
    expect(page2.body.data.map((a: any) => a.title)).toEqual(['first']);
    expect(page2.body.pagination).toMatchObject({ page: 2, limit: 2, totalCount: 3, totalPages: 2, hasNext: false, hasPrev: true });
  });

  it("includes the caller's courses without a filter, and never another course's", async () => {
    const mine = await listAnnouncements(setup.student, { limit: 100 });
    expect(mine.status).toBe(200);
    const ofCourse = mine.body.data.filter((a: any) => a.courseId === setup.courseId).map((a: any) => a.title);
    expect(ofCourse).toEqual(['third', 'second', 'first']);
    expect(mine.body.data.every((a: any) => a.courseId === null || a.courseId === setup.courseId)).toBe(true);
    const theirs = await listAnnouncements(outsider, { limit: 100 });
    expect(theirs.body.data.filter((a: any) => a.courseId === setup.courseId)).toEqual([]);
  });

  it('refuses a course filter to non-members (403), unknown courses (404), bad queries (400) and anonymous callers (401)', async () => {
    expect((await listAnnouncements(outsider, { courseId: setup.courseId })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const otherInstructor = await createInstructor();
    expect((await listAnnouncements(otherInstructor, { courseId: setup.courseId })).status).toBe(403);
    const admin = await signInAdmin();
    expect((await listAnnouncements(admin, { courseId: setup.courseId })).body.data).toHaveLength(3);
    const unknown = await listAnnouncements(setup.student, { courseId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.body).toMatchObject({ status: 404, code: 'COURSE_NOT_FOUND' });
    for (const query of [{ courseId: 'x' }, { limit: 101 }, { page: 0 }]) {
      const res = await listAnnouncements(setup.student, query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    expect((await listAnnouncements(undefined)).status).toBe(401);
  });
});

describe('platform-wide announcements (a platform of its own)', () => {
  let platform: OwnPlatform;
  beforeAll(async () => {
    platform = await ownPlatform({ LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('an admin posts to everyone: every user reads it, is notified, and gets announcement.posted live', async () => {
    const admin = await platform.account('admin');
    const setup = await ownCourse(platform, 1);
    const loner = await platform.account('student');
    const sockets = await Promise.all([setup.students[0]!, setup.instructor, loner].map((user) => connectWs({ url: platform.url, token: user.token })));
    try {
      const posted = await platform.call('POST', '/api/announcements', { token: admin.token, body: { title: 'Maintenance', body: 'Sunday 02:00 UTC' } });
      expect(posted.status).toBe(201);
      expect(posted.body.data).toMatchObject({ courseId: null, course: null, title: 'Maintenance' });
      const announcementId = posted.body.data.announcementId;
      for (const socket of sockets) {
        const event = await socket.waitFor(isEvent('announcement.posted', { announcementId }));
        expect(event.data).toEqual({ announcementId, courseId: null });
        await socket.waitFor((m) => m.type === 'notification.new' && m.data.type === 'announcement_posted');
      }
      for (const user of [setup.students[0]!, setup.instructor, loner]) {
        const list = await platform.call('GET', '/api/announcements', { token: user.token });
        expect(list.body.data.map((a: any) => a.announcementId)).toContain(announcementId);
        const notes = await platform.call('GET', '/api/notifications', { token: user.token, query: { type: 'announcement_posted' } });
        expect(notes.body.data).toEqual([
          expect.objectContaining({ title: 'Announcement: Maintenance', link: '/announcements', data: { announcementId } }),
        ]);
      }
      // The author is not notified of their own announcement.
      const own = await platform.call('GET', '/api/notifications', { token: admin.token, query: { type: 'announcement_posted' } });
      expect(own.body.data).toEqual([]);
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
    }
  });
});

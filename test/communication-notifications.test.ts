// Notifications: what creates them (a submission, a grade, an announcement, a message, a badge, a course
// edit), the list with its unread count, marking read (only one's own), and the preferences per type and
// channel that decide which are created.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, courseWithStudent, createCourse, createInstructor, createStudent, enroll, signInAdmin, type TestUser } from './support/api.js';
import {
  getNotifications,
  getPreferences,
  ISO,
  markNotificationsRead,
  notificationsOfType,
  notificationsOnceThere,
  postAnnouncement,
  sendMessage,
  setPreferences,
  UUID,
} from './support/communication.js';
import { gradeSubmission, submitWork } from './support/grading.js';
import { expectRoutesCalled, type Exchange, recordInto, sdkFor } from './support/sdk.js';
import { sdkRouteGroups } from './support/sdk-route-groups.js';

describe('notifications are created for', () => {
  it("a submission: the course's instructor, with what was handed in", async () => {
    const { instructor, student, course, assignments } = await courseWithStudent({ lessons: 1, assignments: 1 });
    const assignment = assignments[0]!;
    const receipt = await submitWork(student, assignment.assignmentId);
    const notes = await notificationsOfType(instructor, 'assignment_submitted');
    expect(notes).toEqual([
      {
        notificationId: expect.stringMatching(UUID),
        type: 'assignment_submitted',
        title: `New submission: ${assignment.title}`,
        body: `${student.firstName} ${student.lastName} handed in ${assignment.title} in ${course.title}.`,
        link: `/assignments/${assignment.assignmentId}/submissions`,
        data: { courseId: course.courseId, assignmentId: assignment.assignmentId, submissionId: receipt.submissionId, studentId: student.id },
        readAt: null,
        createdAt: expect.stringMatching(ISO),
      },
    ]);
    expect(await notificationsOfType(student, 'assignment_submitted')).toEqual([]);
  });

  it('a grade: the student, with the score and feedback; a regrade says so', async () => {
    const { instructor, student, course, assignments } = await courseWithStudent({ lessons: 1, assignments: 1 });
    const assignment = assignments[0]!;
    const { submissionId } = await submitWork(student, assignment.assignmentId);
    expect((await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 72.5, feedback: 'Good structure' })).status).toBe(200);
    expect((await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 80, feedback: '' })).status).toBe(200);
    const notes = await notificationsOfType(student, 'assignment_graded');
    expect(notes.map((n) => [n.title, n.body])).toEqual([
      [`Regraded: ${assignment.title}`, `You scored 80/100 on ${assignment.title} in ${course.title}.`],
      [`Graded: ${assignment.title}`, `You scored 72.5/100 on ${assignment.title} in ${course.title}. Feedback: Good structure`],
    ]);
    expect(notes[0]).toMatchObject({ link: `/assignments/${assignment.assignmentId}`, data: { courseId: course.courseId, assignmentId: assignment.assignmentId, submissionId } });
    expect(await notificationsOfType(instructor, 'assignment_graded')).toEqual([]);
  });

  it('bulk grading: each student graded', async () => {
    const { instructor, student, course, assignments } = await courseWithStudent({ lessons: 1, assignments: 1 });
    const other = await createStudent();
    await enroll(other, course.courseId);
    const assignmentId = assignments[0]!.assignmentId;
    const first = await submitWork(student, assignmentId);
    const second = await submitWork(other, assignmentId);
    const res = await api('POST', `/api/assignments/${assignmentId}/grades/bulk`, {
      token: instructor.token,
      body: { grades: [{ submissionId: first.submissionId, grade: 50, feedback: '' }, { submissionId: second.submissionId, grade: 60, feedback: '' }] },
    });
    expect(res.status).toBe(200);
    expect((await notificationsOfType(student, 'assignment_graded')).map((n) => n.data.submissionId)).toEqual([first.submissionId]);
    expect((await notificationsOfType(other, 'assignment_graded')).map((n) => n.data.submissionId)).toEqual([second.submissionId]);
  });

  it('an announcement and a message (see their own tests for the details)', async () => {
    const { instructor, student, course } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const posted = await postAnnouncement(instructor, { courseId: course.courseId, title: 'Welcome', body: 'Read the syllabus' });
    const sent = await sendMessage(instructor, { recipientId: student.id, body: 'Hello there' });
    const announced = await notificationsOnceThere(student, 'announcement_posted', (n) => n.data.announcementId === posted.body.data.announcementId);
    expect(announced.map((n) => n.data.announcementId)).toEqual([posted.body.data.announcementId]);
    expect((await notificationsOfType(student, 'message_received')).map((n) => n.data.messageId)).toEqual([sent.body.data.messageId]);
  });

  it('a badge: the student who earned it', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    expect(await notificationsOfType(student, 'achievement_earned')).toEqual([]);
    await enroll(student, course.courseId);
    const notes = await notificationsOfType(student, 'achievement_earned');
    expect(notes).toEqual([
      expect.objectContaining({
        title: 'Badge earned: First Course',
        body: 'Enrol in your first course',
        link: '/achievements',
        data: { badgeType: 'first_course' },
      }),
    ]);
    // A second enrolment earns nothing new.
    await enroll(student, (await createCourse(instructor)).courseId);
    expect(await notificationsOfType(student, 'achievement_earned')).toHaveLength(1);
  });

  it("a course edit: its enrolled students, not the editor, not students who left, not outsiders; an edit that changes nothing notifies nobody", async () => {
    const { instructor, student, course } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const leaver = await createStudent();
    await enroll(leaver, course.courseId);
    expect((await api('DELETE', `/api/courses/${course.courseId}/enroll`, { token: leaver.token })).status).toBe(200);
    const outsider = await createStudent();
    expect((await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: course.title } })).status).toBe(200);
    expect(await notificationsOfType(student, 'course_updated')).toEqual([]);

    const edit = await api('PUT', `/api/courses/${course.courseId}`, {
      token: instructor.token,
      body: { title: 'Renamed course', description: 'New description' },
    });
    expect(edit.status).toBe(200);
    // Written just after the edit commits, all in one transaction: once the student's is there, so are the
    // others', and the edit that changed nothing would have come first.
    expect(await notificationsOnceThere(student, 'course_updated', () => true)).toEqual([
      expect.objectContaining({
        title: 'Renamed course was updated',
        body: 'Changed: title, description.',
        link: `/courses/${course.courseId}`,
        data: { courseId: course.courseId },
      }),
    ]);
    for (const other of [instructor, leaver, outsider]) expect(await notificationsOfType(other, 'course_updated')).toEqual([]);
  });
});

describe('GET /api/notifications', () => {
  let student: TestUser;
  beforeAll(async () => {
    const setup = await courseWithStudent({ lessons: 1, assignments: 0 });
    student = setup.student;
    // Besides the first-course badge: three messages.
    for (const body of ['one', 'two', 'three']) await sendMessage(setup.instructor, { recipientId: student.id, body });
  });

  it('lists the caller\'s notifications newest first, paginated, with the unread count', async () => {
    const res = await getNotifications(student);
    expect(res.status).toBe(200);
    expect(res.body.unreadCount).toBe(4);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 4, totalPages: 1, hasNext: false, hasPrev: false });
    expect(res.body.data.map((n: any) => n.body)).toEqual(['three', 'two', 'one', 'Enrol in your first course']);
    const page = await getNotifications(student, { limit: 3, page: 2 });
    expect(page.body.data.map((n: any) => n.type)).toEqual(['achievement_earned']);
    expect(page.body.pagination).toMatchObject({ totalPages: 2, hasPrev: true, hasNext: false });
    const typed = await getNotifications(student, { type: 'message_received' });
    expect(typed.body.data).toHaveLength(3);
    expect(typed.body.unreadCount).toBe(4);
  });

  it('refuses bad queries (400) and anonymous callers (401)', async () => {
    for (const query of [{ type: 'nope' }, { unread: 'maybe' }, { limit: 101 }, { page: -1 }]) {
      const res = await getNotifications(student, query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    expect((await getNotifications(undefined)).body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});

describe('POST /api/notifications/read', () => {
  it('marks the named notifications read, then all of them; the unread filter follows', async () => {
    const { instructor, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    for (const body of ['a', 'b', 'c']) await sendMessage(instructor, { recipientId: student.id, body });
    const all = (await getNotifications(student)).body.data;
    expect(all).toHaveLength(4);
    const [newest, second] = all;

    const res = await markNotificationsRead(student, { ids: [newest.notificationId, second.notificationId, newest.notificationId] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Notifications marked read', data: { marked: 2, unreadCount: 2 } });
    const unread = await getNotifications(student, { unread: true });
    expect(unread.body.data.map((n: any) => n.notificationId)).toEqual(all.slice(2).map((n: any) => n.notificationId));
    const listed = (await getNotifications(student)).body.data;
    expect(listed[0].readAt).toMatch(ISO);
    expect(listed[2].readAt).toBeNull();
    // Again: nothing more to mark.
    expect((await markNotificationsRead(student, { ids: [newest.notificationId] })).body.data).toEqual({ marked: 0, unreadCount: 2 });

    const everything = await markNotificationsRead(student, { all: true });
    expect(everything.body.data).toEqual({ marked: 2, unreadCount: 0 });
    expect((await getNotifications(student, { unread: true })).body.data).toEqual([]);

    const admin = await signInAdmin();
    const audit = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'notification.read', actorId: student.id } });
    expect(audit.body.data.map((e: any) => e.after)).toEqual([{ all: true, marked: 2 }, { ids: [newest.notificationId, second.notificationId], marked: 2 }]);
  });

  it("refuses someone else's notification (404, and nothing changes) and anonymous callers (401)", async () => {
    const { instructor, student, course } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const other = await createStudent();
    await enroll(other, course.courseId);
    await sendMessage(instructor, { recipientId: student.id, body: 'private' });
    const [theirs] = await notificationsOfType(student, 'message_received');
    const [mine] = await notificationsOfType(other, 'achievement_earned');
    const res = await markNotificationsRead(other, { ids: [mine.notificationId, theirs.notificationId] });
    expect(res.body).toMatchObject({ status: 404, code: 'NOTIFICATION_NOT_FOUND' });
    expect((await notificationsOfType(student, 'message_received'))[0].readAt).toBeNull();
    expect((await notificationsOfType(other, 'achievement_earned'))[0].readAt).toBeNull();
    // `all` never reaches another user's.
    await markNotificationsRead(other, { all: true });
    expect((await notificationsOfType(student, 'message_received'))[0].readAt).toBeNull();
    const unknown = await markNotificationsRead(student, { ids: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknown.status).toBe(404);
    expect((await markNotificationsRead(undefined, { all: true })).status).toBe(401);
  });

  it('answers 400 unless the body is { ids } (1 to 100 ids) or { all: true }', async () => {
    const student = await createStudent();
    const id = '00000000-0000-4000-8000-000000000000';
    for (const body of [{}, { ids: [] }, { ids: ['x'] }, { ids: Array(101).fill(id) }, { all: false }, { all: 'yes' }, { ids: [id], all: true }, { ids: [id], extra: 1 }]) {
      const res = await markNotificationsRead(student, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('notification preferences', () => {
  it('answers every type with its channels (alerts about students are opt-in) and the digest setting', async () => {
    const student = await createStudent();
    const res = await getPreferences(student);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      types: {
        assignment_submitted: { inApp: true, email: false },
        assignment_graded: { inApp: true, email: true },
        announcement_posted: { inApp: true, email: true },
        message_received: { inApp: true, email: true },
        achievement_earned: { inApp: true, email: false },
        course_updated: { inApp: true, email: false },
        student_inactive: { inApp: false, email: false },
        assignment_missed: { inApp: false, email: false },
        security_alert: { inApp: true, email: false },
      },
      digest: 'off',
      emailEnabled: true,
    });
    expect((await getPreferences(undefined)).status).toBe(401);
  });

  it('changes only what is sent, keeps it, and writes the change to the audit log', async () => {
    const student = await createStudent();
    const first = await setPreferences(student, { types: { message_received: { email: false } }, digest: 'daily' });
    expect(first.status).toBe(200);
    expect(first.body.message).toBe('Notification preferences updated');
    expect(first.body.data.types.message_received).toEqual({ inApp: true, email: false });
    expect(first.body.data.digest).toBe('daily');
    const second = await setPreferences(student, { types: { message_received: { inApp: false }, course_updated: { email: true } } });
    expect(second.body.data.types.message_received).toEqual({ inApp: false, email: false });
    expect(second.body.data.types.course_updated).toEqual({ inApp: true, email: true });
    expect(second.body.data.digest).toBe('daily');
    expect((await getPreferences(student)).body.data).toEqual(second.body.data);
    // The profile's switch shows as emailEnabled.
    expect((await api('PUT', '/api/profile/preferences', { token: student.token, body: { userId: student.id, notificationPreference: false } })).status).toBe(200);
    expect((await getPreferences(student)).body.data.emailEnabled).toBe(false);

    const admin = await signInAdmin();
    const audit = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'notification.preferences', actorId: student.id } });
    expect(audit.body.data).toHaveLength(2);
    expect(audit.body.data[1]).toMatchObject({ before: { digest: 'off' }, after: { digest: 'daily', types: { message_received: { inApp: true, email: false } } } });
  });

  it('a type turned off in-app is no longer listed, nor pushed; others still are', async () => {
    const { instructor, student, course } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const classmate = await createStudent();
    await enroll(classmate, course.courseId);
    expect((await setPreferences(student, { types: { course_updated: { inApp: false } } })).status).toBe(200);
    await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { description: 'Changed' } });
    expect(await notificationsOnceThere(classmate, 'course_updated', () => true)).toHaveLength(1);
    expect(await notificationsOfType(student, 'course_updated')).toEqual([]);
    await sendMessage(instructor, { recipientId: student.id, body: 'still here' });
    expect(await notificationsOfType(student, 'message_received')).toHaveLength(1);
  });

  it('refuses unknown types, channels and digest values, and values that are not booleans (400)', async () => {
    const student = await createStudent();
    const cases: unknown[] = [
      { types: { unknown_type: { inApp: true } } },
      { types: { message_received: { sms: true } } },
      { types: { message_received: { email: 'yes' } } },
      { digest: 'weekly' },
      { digest: null },
      { other: true },
      { types: [] },
    ];
    for (const body of cases) {
      const res = await setPreferences(student, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    expect((await getPreferences(student)).body.data.digest).toBe('off');
    expect((await setPreferences(undefined, { digest: 'daily' })).status).toBe(401);
  });
});

describe('through the SDK', () => {
  it('announces, messages, lists and marks read with typed methods', async () => {
    const { instructor, student, course } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const logs: Exchange[][] = [];
    const teacher = recordInto(logs, sdkFor(instructor));
    const learner = recordInto(logs, sdkFor(student));
    const announcement = await teacher.createAnnouncement({ courseId: course.courseId, title: 'SDK news', body: 'Typed' });
    expect((await learner.listAnnouncements({ courseId: course.courseId })).data.map((a) => a.announcementId)).toEqual([announcement.announcementId]);
    const sent = await learner.sendMessage({ recipientId: instructor.id, body: 'Typed question' });
    const conversations = await teacher.listConversations();
    expect(conversations.data[0]).toMatchObject({ conversationId: sent.conversationId, unreadCount: 1 });
    expect((await teacher.listMessages({ conversationId: sent.conversationId })).data.map((m) => m.body)).toEqual(['Typed question']);
    expect(await teacher.markConversationRead(sent.conversationId)).toEqual({ conversationId: sent.conversationId, marked: 1, unreadCount: 0 });

    await notificationsOnceThere(student, 'announcement_posted', (n) => n.data.announcementId === announcement.announcementId);
    const notifications = await learner.getNotifications({ unread: true });
    expect(notifications.unreadCount).toBe(notifications.data.length);
    expect(notifications.data.map((n) => n.type)).toContain('announcement_posted');
    expect(await learner.markNotificationsRead({ all: true })).toEqual({ marked: notifications.data.length, unreadCount: 0 });
    const preferences = await learner.updateNotificationPreferences({ digest: 'daily' });
    expect(preferences.digest).toBe('daily');
    expect(await learner.getNotificationPreferences()).toEqual(preferences);
    expectRoutesCalled(logs, sdkRouteGroups.communication);
  });
});

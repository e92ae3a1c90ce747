// The domain events over a real WebSocket: each reaches exactly the people who may see it. A submission and
// a grade reach the student and the course's staff, never a classmate; a course edit reaches the course's
// members; a badge and every notification.new reach their one user.
//
// "Nobody else": after the event, each other client is sent a marker of its own (a message from an admin).
// Delivery is in event id order, so once the marker arrived, anything earlier meant for it has arrived.
import { afterEach, describe, expect, it } from 'vitest';
import { api, courseWithStudent, createCourse, createInstructor, createStudent, enroll, signInAdmin, type TestUser } from './support/api.js';
import { gradeSubmission, submitWork } from './support/grading.js';
import { connectWs, isEvent, type WsClient } from './support/realtime.js';

const open: WsClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function connect(user: TestUser, subscribeTo?: string): Promise<WsClient> {
  const client = await connectWs({ token: user.token });
  open.push(client);
  if (subscribeTo) {
    client.send({ type: 'subscribe', courseId: subscribeTo });
    await client.waitFor((m) => m.type === 'subscribed' || m.type === 'error');
  }
  return client;
}

/** Sends each client's user a message and waits for it: every event before it has been delivered. */
async function drain(pairs: [TestUser, WsClient][]): Promise<void> {
  const admin = await signInAdmin();
  for (const [user, client] of pairs) {
    if (user.id === admin.id) continue;
    const sent = await api('POST', '/api/messages', { token: admin.token, body: { recipientId: user.id, body: 'marker' } });
    expect(sent.status).toBe(201);
    await client.waitFor(isEvent('message.received', { messageId: sent.body.data.messageId }));
  }
}

const ofType = (client: WsClient, type: string) => client.events().filter((e) => e.type === type);

async function classWithOutsiders() {
  const setup = await courseWithStudent({ lessons: 1, assignments: 1 });
  const courseId = setup.course.courseId as string;
  const classmate = await createStudent();
  await enroll(classmate, courseId);
  const other = await courseWithStudent({ lessons: 1, assignments: 0 });
  return { ...setup, courseId, assignmentId: setup.assignments[0]!.assignmentId as string, classmate, other };
}

describe('domain events reach exactly who may see them', () => {
  it('assignment.submitted: the student and the course staff (admins watching it); not a classmate watching it, not another course', async () => {
    const s = await classWithOutsiders();
    const admin = await signInAdmin();
    const student = await connect(s.student);
    const instructor = await connect(s.instructor);
    const classmate = await connect(s.classmate, s.courseId);
    const adminWs = await connect(admin, s.courseId);
    const otherInstructor = await connect(s.other.instructor);
    const otherStudent = await connect(s.other.student);

    const receipt = await submitWork(s.student, s.assignmentId);
    const expected = { assignmentId: s.assignmentId, studentId: s.student.id, courseId: s.courseId };
    for (const client of [student, instructor, adminWs]) {
      expect((await client.waitFor(isEvent('assignment.submitted', { assignmentId: s.assignmentId }))).data).toEqual(expected);
    }
    // The instructor's notification of it, to the instructor alone.
    const note = await instructor.waitFor((m) => m.type === 'notification.new' && m.data.type === 'assignment_submitted');
    expect(note.data.userId).toBe(s.instructor.id);
    expect(receipt.submissionId).toBeTruthy();

    await drain([
      [s.classmate, classmate],
      [s.other.instructor, otherInstructor],
      [s.other.student, otherStudent],
      [s.student, student],
    ]);
    for (const client of [classmate, otherInstructor, otherStudent]) expect(ofType(client, 'assignment.submitted')).toEqual([]);
    expect(ofType(student, 'notification.new').filter((e) => e.data.type === 'assignment_submitted')).toEqual([]);
    expect(ofType(classmate, 'notification.new').filter((e) => e.data.type === 'assignment_submitted')).toEqual([]);
  });

  it('assignment.graded: the student and the instructor; not a classmate watching the course, nor another student', async () => {
    const s = await classWithOutsiders();
    const { submissionId } = await submitWork(s.student, s.assignmentId);
    const student = await connect(s.student, s.courseId);
    const instructor = await connect(s.instructor);
    const classmate = await connect(s.classmate, s.courseId);
    const otherStudent = await connect(s.other.student);

    expect((await gradeSubmission(s.instructor, s.assignmentId, { submissionId, grade: 91, feedback: 'Great' })).status).toBe(200);
    const event = await student.waitFor(isEvent('assignment.graded', { assignmentId: s.assignmentId }));
    expect(event.data).toEqual({ assignmentId: s.assignmentId, studentId: s.student.id, courseId: s.courseId, grade: 91 });
    expect((await instructor.waitFor(isEvent('assignment.graded', { assignmentId: s.assignmentId }))).data).toEqual(event.data);
    const note = await student.waitFor((m) => m.type === 'notification.new' && m.data.type === 'assignment_graded');
    expect(note.data.userId).toBe(s.student.id);

    await drain([
      [s.classmate, classmate],
      [s.other.student, otherStudent],
      [s.instructor, instructor],
    ]);
    for (const client of [classmate, otherStudent]) expect(ofType(client, 'assignment.graded')).toEqual([]);
    for (const client of [classmate, otherStudent, instructor]) {
      expect(ofType(client, 'notification.new').filter((e) => e.data.type === 'assignment_graded')).toEqual([]);
    }
  });

  it('course.updated: the members watching the course, with what changed; not outsiders, not students who left', async () => {
    const s = await classWithOutsiders();
    const leaver = await createStudent();
    await enroll(leaver, s.courseId);
    const student = await connect(s.student, s.courseId);
    const classmate = await connect(s.classmate, s.courseId);
    const instructor = await connect(s.instructor, s.courseId);
    const leaverWs = await connect(leaver, s.courseId);
    expect((await api('DELETE', `/api/courses/${s.courseId}/enroll`, { token: leaver.token })).status).toBe(200);
    const outsider = await connect(s.other.student);

    const edit = await api('PUT', `/api/courses/${s.courseId}`, { token: s.instructor.token, body: { title: 'Edited title', difficultyLevel: 'advanced' } });
    expect(edit.status).toBe(200);
    for (const client of [student, classmate, instructor]) {
      const event = await client.waitFor(isEvent('course.updated', { courseId: s.courseId }));
      expect(event.data).toEqual({ courseId: s.courseId, changes: { title: 'Edited title', difficultyLevel: 'advanced' } });
    }
    // Every member hears of the change before the students' own notifications of it arrive.
    for (const client of [student, classmate]) {
      const notice = await client.waitFor((e) => e.type === 'notification.new' && e.data.type === 'course_updated');
      const update = ofType(client, 'course.updated')[0]!;
      expect(Number(update.id)).toBeLessThan(Number(notice.id));
    }
    await drain([
      [leaver, leaverWs],
      [s.other.student, outsider],
    ]);
    for (const client of [leaverWs, outsider]) expect(ofType(client, 'course.updated')).toEqual([]);
  });

  it('achievement.earned: the student alone', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    const peer = await createStudent();
    await enroll(peer, course.courseId);
    const studentWs = await connect(student);
    const instructorWs = await connect(instructor, course.courseId);
    const peerWs = await connect(peer, course.courseId);

    await enroll(student, course.courseId);
    const event = await studentWs.waitFor(isEvent('achievement.earned'));
    expect(event.data).toEqual({ studentId: student.id, badgeType: 'first_course' });
    const note = await studentWs.waitFor((m) => m.type === 'notification.new' && m.data.type === 'achievement_earned');
    expect(note.data).toEqual({ notificationId: expect.any(String), userId: student.id, type: 'achievement_earned' });
    await drain([
      [instructor, instructorWs],
      [peer, peerWs],
    ]);
    for (const client of [instructorWs, peerWs]) {
      expect(ofType(client, 'achievement.earned')).toEqual([]);
      expect(ofType(client, 'notification.new').filter((e) => e.data.type === 'achievement_earned')).toEqual([]);
    }
  });

  it('nothing is emitted by a change that is refused', async () => {
    const s = await classWithOutsiders();
    const student = await connect(s.student);
    const instructor = await connect(s.instructor);
    const stranger = await createStudent();
    // Not enrolled: refused, rolled back, silent.
    expect((await api('POST', '/api/assignments/submit', { token: stranger.token, body: { assignmentId: s.assignmentId, submissionContent: 'x' } })).status).toBe(403);
    const grade = await gradeSubmission(s.instructor, s.assignmentId, { submissionId: '00000000-0000-4000-8000-000000000000', grade: 1, feedback: '' });
    expect(grade.status).toBe(404);
    await drain([
      [s.student, student],
      [s.instructor, instructor],
    ]);
    for (const client of [student, instructor]) {
      expect(client.events().filter((e) => e.type !== 'message.received' && e.type !== 'notification.new')).toEqual([]);
      expect(ofType(client, 'notification.new').every((e) => e.data.type === 'message_received')).toBe(true);
    }
  });
});

// Direct messages: who may write to whom, conversations with their last message and unread counts, the
// messages of one conversation, marking read, validation, and the live message.received.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, courseWithStudent, createInstructor, createStudent, enroll, signInAdmin, type TestUser } from './support/api.js';
import {
  ISO,
  listConversations,
  listMessages,
  markConversationRead,
  notificationsOfType,
  sendMessage,
  UUID,
} from './support/communication.js';
import { connectWs, isEvent, settle } from './support/realtime.js';

async function classroom() {
  const setup = await courseWithStudent({ lessons: 1, assignments: 0 });
  const classmate = await createStudent();
  await enroll(classmate, setup.course.courseId);
  return { ...setup, courseId: setup.course.courseId as string, classmate };
}

describe('POST /api/messages', () => {
  it("sends a message to the course's instructor: the answer is the message; the recipient is notified", async () => {
    const { instructor, student } = await classroom();
    const res = await sendMessage(student, { recipientId: instructor.id, body: '  Could you look at my draft?  ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Message sent successfully',
      data: {
        messageId: expect.stringMatching(UUID),
        conversationId: expect.stringMatching(UUID),
        senderId: student.id,
        recipientId: instructor.id,
        body: 'Could you look at my draft?',
        createdAt: expect.stringMatching(ISO),
        readAt: null,
      },
    });
    const { messageId, conversationId } = res.body.data;
    const [notification] = await notificationsOfType(instructor, 'message_received');
    expect(notification).toMatchObject({
      title: `New message from ${student.firstName} ${student.lastName}`,
      body: 'Could you look at my draft?',
      link: `/messages/${conversationId}`,
      data: { messageId, conversationId, senderId: student.id },
      readAt: null,
    });
    expect(await notificationsOfType(student, 'message_received')).toEqual([]);

    const admin = await signInAdmin();
    const audit = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'message.send', targetId: messageId } });
    expect(audit.body.data[0]).toMatchObject({ actor: { id: student.id }, after: { recipientId: instructor.id, conversationId, bodyLength: 27 } });
    // The audit log does not keep what people write to each other.
    expect(JSON.stringify(audit.body.data[0])).not.toContain('draft');
  });

  it('lets students of one course write to each other, the instructor to their students, admins to anyone', async () => {
    const { instructor, student, classmate } = await classroom();
    const stranger = await createStudent();
    const admin = await signInAdmin();
    expect((await sendMessage(student, { recipientId: classmate.id, body: 'Study group?' })).status).toBe(201);
    expect((await sendMessage(instructor, { recipientId: student.id, body: 'Well done' })).status).toBe(201);
    expect((await sendMessage(admin, { recipientId: stranger.id, body: 'Welcome' })).status).toBe(201);
    // A reply to someone who wrote first is always allowed.
    expect((await sendMessage(stranger, { recipientId: admin.id, body: 'Thanks!' })).status).toBe(201);
  });

  it('refuses people who share no course (403 MESSAGE_NOT_ALLOWED) and anonymous callers (401)', async () => {
    const { instructor, student, courseId } = await classroom();
    const stranger = await createStudent();
    const otherInstructor = await createInstructor();
    const leaver = await createStudent();
    await enroll(leaver, courseId);
    expect((await api('DELETE', `/api/courses/${courseId}/enroll`, { token: leaver.token })).status).toBe(200);
    const admin = await signInAdmin();
    const refused: [TestUser, string][] = [
      [stranger, student.id],
      [student, stranger.id],
      [otherInstructor, student.id],
      [instructor, stranger.id],
      [leaver, instructor.id],
      [student, admin.id],
    ];
    for (const [from, to] of refused) {
      const res = await sendMessage(from, { recipientId: to, body: 'Hello' });
      expect(res.body).toMatchObject({ status: 403, code: 'MESSAGE_NOT_ALLOWED' });
    }
    expect((await listMessages(stranger)).body.data).toEqual([]);
    expect((await sendMessage(undefined, { recipientId: student.id, body: 'Hello' })).body).toMatchObject({ status: 401 });
  });

  it('answers 400 for an empty, blank or too long body, a malformed or own id; 404 for an unknown recipient', async () => {
    const { instructor, student } = await classroom();
    const cases: [unknown, string][] = [
      [{ recipientId: instructor.id }, 'body.body'],
      [{ recipientId: instructor.id, body: '' }, 'body.body'],
      [{ recipientId: instructor.id, body: ' \n\t ' }, 'body.body'],
      [{ recipientId: instructor.id, body: 'x'.repeat(5001) }, 'body.body'],
      [{ recipientId: 'nope', body: 'hi' }, 'body.recipientId'],
      [{ body: 'hi' }, 'body.recipientId'],
      [{ recipientId: student.id, body: 'note to self' }, 'body.recipientId'],
    ];
    for (const [body, field] of cases) {
      const res = await sendMessage(student, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details)).toContain(field);
    }
    expect((await sendMessage(student, { recipientId: instructor.id, body: 'x'.repeat(5000) })).status).toBe(201);
    const unknown = await sendMessage(student, { recipientId: '00000000-0000-4000-8000-000000000000', body: 'hi' });
    expect(unknown.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });

  it('emits message.received to the recipient only', async () => {
    const { instructor, student, classmate } = await classroom();
    const [recipientWs, senderWs, otherWs] = await Promise.all([
      connectWs({ token: instructor.token }),
      connectWs({ token: student.token }),
      connectWs({ token: classmate.token }),
    ]);
    try {
      const sent = await sendMessage(student, { recipientId: instructor.id, body: 'Live question' });
      const { messageId, conversationId } = sent.body.data;
      const event = await recipientWs.waitFor(isEvent('message.received', { messageId }));
      expect(event.data).toEqual({ messageId, from: student.id, content: 'Live question', conversationId });
      const note = await recipientWs.waitFor((m) => m.type === 'notification.new' && m.data.type === 'message_received');
      expect(note.data).toEqual({ notificationId: expect.stringMatching(UUID), userId: instructor.id, type: 'message_received' });
      // Markers: each of the others receives a message of their own after it.
      const toSender = await sendMessage(instructor, { recipientId: student.id, body: 'marker' });
      await senderWs.waitFor(isEvent('message.received', { messageId: toSender.body.data.messageId }));
      const toOther = await sendMessage(student, { recipientId: classmate.id, body: 'marker' });
      await otherWs.waitFor(isEvent('message.received', { messageId: toOther.body.data.messageId }));
      await settle(100);
      for (const client of [senderWs, otherWs]) {
        expect(client.events().filter((e) => e.data.messageId === messageId)).toEqual([]);
        expect(client.events().filter((e) => e.type === 'notification.new' && e.data.userId !== (client === senderWs ? student.id : classmate.id))).toEqual([]);
      }
    } finally {
      await Promise.all([recipientWs.close(), senderWs.close(), otherWs.close()]);
    }
  });
});

describe('conversations and reading', () => {
  let room: Awaited<ReturnType<typeof classroom>>;
  let conversationId: string;
  const sentIds: string[] = [];
  beforeAll(async () => {
    room = await classroom();
    for (const [from, to, body] of [
      [room.student, room.instructor, 'one'],
      [room.instructor, room.student, 'two'],
      [room.student, room.instructor, 'three'],
      [room.student, room.instructor, 'four'],
    ] as const) {
      const res = await sendMessage(from, { recipientId: to.id, body });
      expect(res.status).toBe(201);
      sentIds.push(res.body.data.messageId);
      conversationId ??= res.body.data.conversationId;
      // The same conversation both ways.
      expect(res.body.data.conversationId).toBe(conversationId);
    }
    expect((await sendMessage(room.classmate, { recipientId: room.student.id, body: 'hi from a classmate' })).status).toBe(201);
  });

  it('lists conversations, most recent first, with the other person, the last message and the unread count', async () => {
    const res = await listConversations(room.student);
    expect(res.status).toBe(200);
    expect(res.body.pagination).toMatchObject({ page: 1, limit: 10, totalCount: 2 });
    expect(res.body.unreadCount).toBe(2);
    const [latest, older] = res.body.data;
    expect(latest).toMatchObject({
      participant: { id: room.classmate.id, firstName: room.classmate.firstName, role: 'student' },
      lastMessage: { body: 'hi from a classmate', senderId: room.classmate.id },
      unreadCount: 1,
    });
    expect(older).toEqual({
      conversationId,
      participant: {
        id: room.instructor.id,
        firstName: room.instructor.firstName,
        lastName: room.instructor.lastName,
        username: room.instructor.username,
        role: 'instructor',
        avatarUrl: expect.any(String),
      },
      lastMessage: expect.objectContaining({ messageId: sentIds[3], body: 'four', senderId: room.student.id, readAt: null }),
      unreadCount: 1,
      createdAt: expect.stringMatching(ISO),
    });
    const forInstructor = await listConversations(room.instructor);
    expect(forInstructor.body.data).toHaveLength(1);
    expect(forInstructor.body.data[0]).toMatchObject({ conversationId, participant: { id: room.student.id }, unreadCount: 3 });
    expect(forInstructor.body.unreadCount).toBe(3);
    const paged = await listConversations(room.student, { limit: 1, page: 2 });
    expect(paged.body.data.map((c: any) => c.conversationId)).toEqual([conversationId]);
    expect((await listConversations(room.student, { limit: 0 })).status).toBe(400);
    expect((await listConversations(undefined)).status).toBe(401);
  });

  it("lists one conversation's messages newest first, by conversation or by person, and the unread ones", async () => {
    const byConversation = await listMessages(room.instructor, { conversationId });
    expect(byConversation.status).toBe(200);
    expect(byConversation.body.data.map((m: any) => m.body)).toEqual(['four', 'three', 'two', 'one']);
    expect(byConversation.body.pagination).toMatchObject({ totalCount: 4 });
    const byPerson = await listMessages(room.student, { withUserId: room.instructor.id, limit: 2 });
    expect(byPerson.body.data.map((m: any) => m.messageId)).toEqual([sentIds[3], sentIds[2]]);
    expect(byPerson.body.pagination).toMatchObject({ totalCount: 4, totalPages: 2, hasNext: true });
    const unread = await listMessages(room.instructor, { unread: true });
    expect(unread.body.data.map((m: any) => m.body)).toEqual(['four', 'three', 'one']);
    const all = await listMessages(room.student, { limit: 100 });
    expect(all.body.data).toHaveLength(5);
  });

  it("keeps other people's conversations out of reach (404) and refuses bad queries (400)", async () => {
    const outsider = await createStudent();
    expect((await listMessages(outsider, { conversationId })).body).toMatchObject({ status: 404, code: 'CONVERSATION_NOT_FOUND' });
    expect((await listMessages(room.classmate, { conversationId })).status).toBe(404);
    expect((await listMessages(outsider, { withUserId: room.instructor.id })).body.data).toEqual([]);
    expect((await markConversationRead(room.classmate, conversationId)).body).toMatchObject({ status: 404, code: 'CONVERSATION_NOT_FOUND' });
    for (const query of [{ conversationId: 'x' }, { withUserId: 'x' }, { unread: 'yes' }, { limit: 1000 }]) {
      expect((await listMessages(room.student, query)).status).toBe(400);
    }
    expect((await markConversationRead(room.student, 'x')).status).toBe(400);
    expect((await listMessages(undefined)).status).toBe(401);
  });

  it('marks what the caller received in a conversation read, with its notifications; the sender\'s own stay as they are', async () => {
    const before = await notificationsOfType(room.instructor, 'message_received');
    expect(before.filter((n) => n.data.conversationId === conversationId && n.readAt === null)).toHaveLength(3);

    const res = await markConversationRead(room.instructor, conversationId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Conversation marked read', data: { conversationId, marked: 3, unreadCount: 0 } });
    const messages = await listMessages(room.instructor, { conversationId });
    for (const message of messages.body.data) {
      if (message.recipientId === room.instructor.id) expect(message.readAt).toMatch(ISO);
      else expect(message.readAt).toBeNull();
    }
    const after = await notificationsOfType(room.instructor, 'message_received');
    expect(after.filter((n) => n.data.conversationId === conversationId && n.readAt === null)).toEqual([]);
    expect((await markConversationRead(room.instructor, conversationId)).body.data.marked).toBe(0);
    // The student's unread message from the instructor is still unread.
    expect((await listConversations(room.student)).body.unreadCount).toBe(2);
    expect((await markConversationRead(undefined, conversationId)).status).toBe(401);
  });
});

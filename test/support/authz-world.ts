// The fixtures of the authorization matrix, made once: for each role a caller, and two of everything, one
// the caller may reach (`owned`: course A, taught by `instructor`, with `student` enrolled) and one they
// may not (`foreign`: course B, taught by `otherInstructor`, with `otherStudent` enrolled). Routes that
// destroy their target get a fresh one from the factories at the end.
import { type ApiResponse, type TestUser, uniqueSuffix } from './api.js';
import { TEST_PASSWORD } from './constants.js';
import { pngBytes, uploadTo } from './files.js';
import { sampleRubric } from './grading.js';
import { sampleQuestions } from './quizzes.js';
import { adminOn, clientAt } from './security.js';

export type Role = 'anonymous' | 'student' | 'instructor' | 'admin';
export type Ownership = 'owned' | 'foreign';
export const ROLES: readonly Role[] = ['anonymous', 'student', 'instructor', 'admin'];

/** One side of the world: a course with everything in it. */
export interface Side {
  courseId: string;
  lessonId: string;
  mediaFileId: string;
  assignmentId: string;
  submissionId: string;
  quizId: string;
  /** The enrolled student's upload, attached to their submission. */
  fileId: string;
  webhookId: string;
  deliveryId: string;
  conversationId: string;
}

export interface World {
  url: string;
  student: TestUser;
  instructor: TestUser;
  admin: TestUser;
  otherStudent: TestUser;
  otherInstructor: TestUser;
  own: Side;
  foreign: Side;
  exportId: string;
  /** An API key of each caller, and one of otherStudent. */
  keys: Record<'student' | 'instructor' | 'admin' | 'otherStudent', string>;
}

function expectOk(res: ApiResponse, what: string) {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

export function worldClient(url: string) {
  const client = clientAt(url);
  const call = (method: string, path: string, token: string | undefined, body?: unknown, query?: Record<string, string>) =>
    client.call(method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }), ...(query ? { query } : {}) });
  return { client, call };
}

export async function register(url: string, role: 'student' | 'instructor'): Promise<TestUser> {
  const { call } = worldClient(url);
  const suffix = uniqueSuffix();
  const body = {
    email: `authz-${role}-${suffix}@matrix.skilled`,
    password: TEST_PASSWORD,
    firstName: 'Matrix',
    lastName: role,
    username: `mx_${suffix}`,
    role,
  };
  const registered = expectOk(await call('POST', '/api/users/register', undefined, body), 'register');
  const session = expectOk(await call('POST', '/api/auth/signin', undefined, { email: body.email, password: body.password }), 'sign in');
  return {
    id: registered.body.data.id,
    email: body.email,
    username: body.username,
    password: body.password,
    role,
    token: session.body.data.accessToken,
    refreshToken: session.body.data.refreshToken,
    firstName: body.firstName,
    lastName: body.lastName,
  };
}

/** A new session of the user (its own access and refresh token), for routes that end a session. */
export async function freshSession(url: string, user: TestUser): Promise<{ token: string; refreshToken: string }> {
  const { call } = worldClient(url);
  const res = expectOk(await call('POST', '/api/auth/signin', undefined, { email: user.email, password: user.password }), 'sign in');
  return { token: res.body.data.accessToken, refreshToken: res.body.data.refreshToken };
}

export const factories = (url: string) => {
  const { call } = worldClient(url);
  const data = async (res: Promise<ApiResponse>, what: string) => expectOk(await res, what).body.data;
  return {
    call,
    course: async (owner: TestUser) =>
      (
        await data(
          call('POST', '/api/courses', owner.token, {
            title: `Matrix ${uniqueSuffix()}`,
            description: 'A course of the authorization matrix',
            category: 'programming',
            difficultyLevel: 'beginner',
          }),
          'create course',
        )
      ).courseId as string,
    lesson: async (owner: TestUser, courseId: string) =>
      (await data(call('POST', `/api/courses/${courseId}/lessons`, owner.token, { title: `Lesson ${uniqueSuffix()}`, estimatedTime: 10 }), 'create lesson'))
        .lessonId as string,
    assignment: async (owner: TestUser, courseId: string) =>
      (
        await data(
          call('POST', '/api/assignments', owner.token, { courseId, title: `Assignment ${uniqueSuffix()}`, description: 'Do it', points: 100 }),
          'create assignment',
        )
      ).assignmentId as string,
    quiz: async (owner: TestUser, courseId: string) =>
      (await data(call('POST', '/api/quizzes', owner.token, { courseId, title: 'Matrix quiz', questions: sampleQuestions() }), 'create quiz'))
        .quizId as string,
    enroll: async (student: TestUser, courseId: string) => data(call('POST', `/api/courses/${courseId}/enroll`, student.token), 'enroll'),
    webhook: async (owner: TestUser, courseId: string) =>
      (
        await data(
          call('POST', '/api/webhooks', owner.token, { url: 'http://localhost:9/matrix-hook', eventTypes: ['assignment.submitted'], courseId }),
          'create webhook',
        )
      ).webhookId as string,
    apiKey: async (owner: TestUser, scopes: string[]) =>
      (await data(call('POST', '/api/api-keys', owner.token, { name: `matrix ${uniqueSuffix()}`, scopes }), 'create key')).id as string,
    upload: async (user: TestUser, fileName = 'notes.txt') => {
      const res = await uploadTo('/api/uploads', Buffer.from(`notes ${uniqueSuffix()}\n`), fileName, { token: user.token, base: url });
      if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data as { fileId: string; url: string };
    },
    media: async (owner: TestUser, lessonId: string) => {
      const res = await uploadTo(`/api/lessons/${lessonId}/media`, pngBytes(), 'diagram.png', { token: owner.token, base: url });
      if (res.status !== 201) throw new Error(`media failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data.fileId as string;
    },
    /** An in-progress attempt of the student on a new quiz of the course. */
    attempt: async (owner: TestUser, student: TestUser, courseId: string) => {
      const quizId = await factories(url).quiz(owner, courseId);
      const attempt = await data(call('POST', `/api/quizzes/${quizId}/attempts`, student.token), 'start attempt');
      return { quizId, attemptId: attempt.attemptId as string };
    },
    /** A session id of the user other than `token`'s. */
    otherSessionId: async (user: TestUser) => {
      await freshSession(url, user);
      const sessions = await data(call('GET', '/api/auth/sessions', user.token), 'list sessions');
      const other = (sessions as { sessionId: string; current: boolean }[]).find((s) => !s.current);
      if (!other) throw new Error('no other session');
      return other.sessionId;
    },
  };
};

async function side(url: string, instructor: TestUser, student: TestUser, admin: TestUser): Promise<Side> {
  const make = factories(url);
  const { call } = make;
  const courseId = await make.course(instructor);
  const lessonId = await make.lesson(instructor, courseId);
  expectOk(await call('POST', `/api/lessons/${lessonId}/content`, instructor.token, { body: '# Matrix lesson\n\nText.' }), 'content');
  const mediaFileId = await make.media(instructor, lessonId);
  const assignmentId = await make.assignment(instructor, courseId);
  expectOk(await call('POST', `/api/assignments/${assignmentId}/rubric`, instructor.token, { criteria: sampleRubric() }), 'rubric');
  const quizId = await make.quiz(instructor, courseId);
  await make.enroll(student, courseId);
  const upload = await make.upload(student);
  const submitted = expectOk(
    await call('POST', '/api/assignments/submit', student.token, { assignmentId, fileUrl: upload.url, submissionContent: 'my work' }),
    'submit',
  );
  const submissionId = submitted.body.data.submissionId as string;
  expectOk(await call('POST', `/api/assignments/${assignmentId}/grade`, admin.token, { submissionId, grade: 70, feedback: 'Fine' }), 'grade');
  const webhookId = await make.webhook(instructor, courseId);
  const ping = expectOk(await call('POST', `/api/webhooks/${webhookId}/ping`, instructor.token), 'ping');
  const message = expectOk(await call('POST', '/api/messages', instructor.token, { recipientId: student.id, body: 'Welcome' }), 'message');
  return {
    courseId,
    lessonId,
    mediaFileId,
    assignmentId,
    submissionId,
    quizId,
    fileId: upload.fileId,
    webhookId,
    deliveryId: ping.body.data.deliveryId,
    conversationId: message.body.data.conversationId,
  };
}

export async function buildWorld(url: string): Promise<World> {
  const [student, instructor, otherStudent, otherInstructor, promoted] = await Promise.all([
    register(url, 'student'),
    register(url, 'instructor'),
    register(url, 'student'),
    register(url, 'instructor'),
    register(url, 'student'),
  ]);
  // A dedicated admin, so that sessions this matrix ends are nobody else's.
  const root = await adminOn(clientAt(url));
  const { call } = factories(url);
  expectOk(await call('PUT', `/api/users/${promoted.id}/role`, root.token, { role: 'admin' }), 'promote admin');
  const adminSession = await freshSession(url, promoted);
  const admin: TestUser = { ...promoted, role: 'admin', token: adminSession.token, refreshToken: adminSession.refreshToken };

  const own = await side(url, instructor, student, admin);
  const foreign = await side(url, otherInstructor, otherStudent, admin);

  const exported = expectOk(await call('POST', '/api/admin/export', admin.token, { entities: ['courses'], format: 'csv' }), 'export');
  const exportId = exported.body.data.exportId as string;
  for (let i = 0; i < 100; i++) {
    const status = (await call('GET', `/api/admin/exports/${exportId}`, admin.token)).body.data.status;
    if (status === 'completed') break;
    if (status === 'failed') throw new Error('export failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const make = factories(url);
  const keys = {
    student: await make.apiKey(student, ['profile:edit']),
    instructor: await make.apiKey(instructor, ['profile:edit']),
    admin: await make.apiKey(admin, ['audit:read']),
    otherStudent: await make.apiKey(otherStudent, ['profile:edit']),
  };
  return { url, student, instructor, admin, otherStudent, otherInstructor, own, foreign, exportId, keys };
}

// A small HTTP client and factories: every test makes its own users and courses, so files run in
// parallel against one server without clearing tables.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { TEST_ADMIN, TEST_PASSWORD } from './constants.js';

export const baseUrl = (): string => inject('baseUrl');

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is, without JSON encoding. */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** Another server than the shared one (tests that start their own). */
  baseUrl?: string;
}

export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const url = new URL(path, options.baseUrl ?? baseUrl());
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    payload = JSON.stringify(options.body);
  }
  const response = await fetch(url, { method, headers, body: payload });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: response.status, body: body as T, headers: response.headers };
}

export const uniqueSuffix = (): string => randomUUID().replace(/-/g, '').slice(0, 10);

export interface TestUser {
  id: string;
  email: string;
  username: string;
  password: string;
  role: 'student' | 'instructor' | 'admin';
  token: string;
  refreshToken: string;
  firstName: string;
  lastName: string;
}

/** Registers (except the admin, who exists) and signs in an account through `call`, on a server of a test's own. */
export async function accountThrough(
  call: (method: string, path: string, options?: { body?: unknown }) => Promise<Pick<ApiResponse, 'status' | 'body'>>,
  role: TestUser['role'],
  options: { domain: string; firstName?: string; lastName?: string; lastNamePrefix: string; admin: { email: string; password: string }; password: string },
): Promise<TestUser> {
  const suffix = uniqueSuffix();
  const email = role === 'admin' ? options.admin.email : `${role}-${suffix}@${options.domain}`;
  const password = role === 'admin' ? options.admin.password : options.password;
  const firstName = options.firstName ?? (role === 'student' ? 'Stu' : 'Ina');
  const lastName = options.lastName ?? `${options.lastNamePrefix}${suffix.slice(0, 4)}`;
  const username = `${role.slice(0, 4)}_${suffix}`;
  if (role !== 'admin') {
    const registered = await call('POST', '/api/users/register', { body: { email, password, firstName, lastName, username, role } });
    if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  }
  const session = await call('POST', '/api/auth/signin', { body: { email, password } });
  if (session.status !== 200) throw new Error(`sign-in failed: ${session.status} ${JSON.stringify(session.body)}`);
  const data = session.body.data;
  return {
    id: data.user.id,
    email,
    username: data.user.username,
    password,
    role,
    token: data.accessToken,
    refreshToken: data.refreshToken,
    firstName: data.user.firstName,
    lastName: data.user.lastName,
  };
}

export async function signIn(email: string, password: string) {
  const res = await api('POST', '/api/auth/signin', { body: { email, password } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { user: { id: string }; accessToken: string; refreshToken: string };
}

export async function createUser(
  role: 'student' | 'instructor' = 'student',
  overrides: Record<string, unknown> = {},
): Promise<TestUser> {
  const suffix = uniqueSuffix();
  const body = {
    email: `${role}-${suffix}@test.skilled`,
    password: TEST_PASSWORD,
    firstName: role === 'student' ? 'Stu' : 'Ina',
    lastName: `Test${suffix.slice(0, 4)}`,
    username: `${role.slice(0, 4)}_${suffix}`,
    role,
    ...overrides,
  };
  const res = await api('POST', '/api/users/register', { body });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const session = await signIn(body.email, body.password);
  return {
    id: res.body.data.id,
    email: body.email,
    username: body.username,
    password: body.password,
    role,
    token: session.accessToken,
    refreshToken: session.refreshToken,
    firstName: body.firstName,
    lastName: body.lastName,
  };
}

export const createStudent = (overrides: Record<string, unknown> = {}) => createUser('student', overrides);
export const createInstructor = (overrides: Record<string, unknown> = {}) => createUser('instructor', overrides);

export async function signInAdmin(): Promise<TestUser> {
  const session = await signIn(TEST_ADMIN.email, TEST_ADMIN.password);
  return {
    id: session.user.id,
    email: TEST_ADMIN.email,
    username: 'admin',
    password: TEST_ADMIN.password,
    role: 'admin',
    token: session.accessToken,
    refreshToken: session.refreshToken,
    firstName: 'Platform',
    lastName: 'Admin',
  };
}

function expectStatus(res: ApiResponse, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function createCourse(instructor: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/courses', {
    token: instructor.token,
    body: {
      title: `Course ${uniqueSuffix()}`,
      description: 'A course made by a test',
      thumbnailUrl: 'https://example.com/thumb.png',
      category: 'programming',
      difficultyLevel: 'beginner',
      ...overrides,
    },
  });
  expectStatus(res, 201, 'create course');
  return res.body.data as { courseId: string; title: string } & Record<string, any>;
}

export async function createLesson(instructor: TestUser, courseId: string, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', `/api/courses/${courseId}/lessons`, {
    token: instructor.token,
    body: { title: `Lesson ${uniqueSuffix()}`, description: 'Lesson body', estimatedTime: 20, ...overrides },
  });
  expectStatus(res, 201, 'create lesson');
  return res.body.data as { lessonId: string; order: number } & Record<string, any>;
}

export async function createAssignment(instructor: TestUser, courseId: string, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/assignments', {
    token: instructor.token,
    body: {
      courseId,
      title: `Assignment ${uniqueSuffix()}`,
      description: 'Do the thing',
      points: 100,
      dueDate: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      ...overrides,
    },
  });
  expectStatus(res, 201, 'create assignment');
  return res.body.data as { assignmentId: string; points: number } & Record<string, any>;
}

export async function enroll(student: TestUser, courseId: string) {
  const res = await api('POST', `/api/courses/${courseId}/enroll`, { token: student.token });
  expectStatus(res, 201, 'enroll');
  return res.body.data as { enrollmentId: string } & Record<string, any>;
}

/** A course with lessons and assignments, and a student enrolled in it. */
export async function courseWithStudent(options: { lessons?: number; assignments?: number } = {}) {
  const instructor = await createInstructor();
  const course = await createCourse(instructor);
  const lessons = [];
  for (let i = 0; i < (options.lessons ?? 2); i++) lessons.push(await createLesson(instructor, course.courseId));
  const assignments = [];
  for (let i = 0; i < (options.assignments ?? 1); i++) assignments.push(await createAssignment(instructor, course.courseId));
  const student = await createStudent();
  await enroll(student, course.courseId);
  return { instructor, course, lessons, assignments, student };
}

// Factories and readers for course authoring and enrolment management tests.
import { expect } from 'vitest';
import { api, type ApiResponse, createCourse, createInstructor, createLesson, type TestUser } from './api.js';

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ETAG = /^"v\d+\.[A-Za-z0-9_-]{16}"$/;

export const updateCourse = (user: TestUser | undefined, courseId: string, body: unknown, headers: Record<string, string> = {}) =>
  api('PUT', `/api/courses/${courseId}`, { token: user?.token, body, headers });

export const deleteCourse = (user: TestUser | undefined, courseId: string) =>
  api('DELETE', `/api/courses/${courseId}`, { token: user?.token });

export const getCourse = (courseId: string, user?: TestUser) => api('GET', `/api/courses/${courseId}`, { token: user?.token });

export const getLesson = (courseId: string, lessonId: string, user?: TestUser) =>
  api('GET', `/api/courses/${courseId}/lessons/${lessonId}`, { token: user?.token });

export const updateLesson = (
  user: TestUser | undefined,
  courseId: string,
  lessonId: string,
  body: unknown,
  headers: Record<string, string> = {},
) => api('PUT', `/api/courses/${courseId}/lessons/${lessonId}`, { token: user?.token, body, headers });

export const deleteLesson = (user: TestUser | undefined, courseId: string, lessonId: string) =>
  api('DELETE', `/api/courses/${courseId}/lessons/${lessonId}`, { token: user?.token });

export const reorderLessons = (user: TestUser | undefined, courseId: string, lessonIds: unknown) =>
  api('POST', `/api/courses/${courseId}/lessons/reorder`, { token: user?.token, body: { lessonIds } });

export const unenroll = (user: TestUser | undefined, courseId: string, studentId?: string) =>
  api('DELETE', `/api/courses/${courseId}/enroll`, { token: user?.token, query: { studentId } });

export const courseProgress = (user: TestUser | undefined, courseId: string, studentId?: string) =>
  api('GET', `/api/courses/${courseId}/progress`, { token: user?.token, query: { studentId } });

export const bulkEnroll = (user: TestUser | undefined, courseId: string, body: unknown) =>
  api('POST', `/api/courses/${courseId}/enrollments/bulk`, { token: user?.token, body });

export const enrollRequest = (user: TestUser | undefined, courseId: string) =>
  api('POST', `/api/courses/${courseId}/enroll`, { token: user?.token });

export const completeLesson = (user: TestUser, lessonId: string) =>
  api('POST', '/api/lessons/complete', { token: user.token, body: { lessonId } });

export const submitAssignment = (user: TestUser, assignmentId: string) =>
  api('POST', '/api/assignments/submit', { token: user.token, body: { assignmentId, submissionContent: 'My answer' } });

/** The lessons of a course as `[order, title]`, read back through the API. */
export async function lessonOrder(courseId: string): Promise<[number, string][]> {
  const res = await api('GET', `/api/courses/${courseId}/lessons`);
  expect(res.status).toBe(200);
  return res.body.data.map((lesson: { order: number; title: string }) => [lesson.order, lesson.title]);
}

/** A course of an instructor of its own, with lessons titled as given (in that order). */
export async function courseWithLessons(titles: string[], instructor?: TestUser) {
  const owner = instructor ?? (await createInstructor());
  const course = await createCourse(owner);
  const lessons: Record<string, string> = {};
  for (const title of titles) lessons[title] = (await createLesson(owner, course.courseId, { title })).lessonId;
  return { instructor: owner, courseId: course.courseId, course, lessons };
}

/** Asserts the error envelope of a refused request. */
export function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ status, code, error: expect.any(String), requestId: expect.any(String) });
}

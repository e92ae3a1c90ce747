// Concurrent edits through the SDK: every resource with an ETag (courses, lessons, assignments, quizzes,
// the profile and its preferences) refuses an edit sent with a stale If-Match with 412, and the SDK turns
// it into a ConflictError carrying both versions (what was sent, the server's current one and its ETag),
// so that "keep mine" is a retry with that ETag and "take theirs" is the current version.
import { describe, expect, it } from 'vitest';
import type { CourseDetails } from '../src/contract/courses.js';
import type { Lesson } from '../src/contract/lessons.js';
import type { ProfileUser } from '../src/contract/profile.js';
import type { StaffQuiz } from '../src/contract/quizzes.js';
import type { Assignment } from '../src/contract/assignments.js';
import { ApiError, ConflictError } from '../src/sdk/errors.js';
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
} from './support/api.js';
import { createQuiz } from './support/quizzes.js';
import { sdkFor } from './support/sdk.js';

/** The error a promise rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ApiError);
  return outcome as ApiError;
}

async function conflict<TCurrent, TAttempted>(promise: Promise<unknown>): Promise<ConflictError<TCurrent, TAttempted>> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ConflictError);
  expect(error).toMatchObject({ name: 'ConflictError', status: 412, code: 'PRECONDITION_FAILED', category: 'validation' });
  return error as ConflictError<TCurrent, TAttempted>;
}

/** The ETag a GET of the path answers now, read past any cache. */
async function currentEtag(path: string, token: string): Promise<string> {
  const res = await api('GET', path, { token });
  expect(res.status).toBe(200);
  return res.headers.get('etag')!;
}

const VERSIONED = /^"v\d+\.[\w-]+"$/;
/** The version an ETag carries (the rest hashes the representation, which differs between a GET and an edit's answer). */
const versionOf = (etag: string) => /^"v(\d+)\./.exec(etag)?.[1];

describe('ConflictError on a stale edit', () => {
  it('course: carries what I sent, their version and its ETag; retrying with that ETag keeps mine', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const path = `/api/courses/${course.courseId}`;
    const mine = sdkFor(instructor);
    const theirs = sdkFor(instructor);
    await mine.getCourse(course.courseId);
    const readEtag = mine.etagFor(path)!;
    expect(readEtag).toMatch(VERSIONED);

    await theirs.updateCourse(course.courseId, { title: 'Their title' });
    const error = await conflict<CourseDetails, { description: string }>(
      mine.updateCourse(course.courseId, { description: 'My description' }, { ifMatch: readEtag }),
    );
    expect(error.attempted).toEqual({ description: 'My description' });
    expect(error.current).toMatchObject({ courseId: course.courseId, title: 'Their title', description: course.description });
    expect(error.currentEtag).toMatch(VERSIONED);
    expect(error.currentEtag).toBe(await currentEtag(path, instructor.token));
    expect(error.getUserMessage()).toMatch(/changed this in the meantime/);
    // Nothing of mine was written.
    expect((await api('GET', path)).body.data).toMatchObject({ title: 'Their title', description: course.description });

    const kept = await mine.updateCourse(course.courseId, { description: 'My description' }, { ifMatch: error.currentEtag! });
    expect(kept).toMatchObject({ title: 'Their title', description: 'My description' });
    // The edit's answer carries the new version: the next edit can use it without reading again.
    const next = mine.etagFor(path)!;
    expect(next).toMatch(VERSIONED);
    expect(next).not.toBe(error.currentEtag);
    await expect(mine.updateCourse(course.courseId, { title: 'My title' }, { ifMatch: next })).resolves.toMatchObject({ title: 'My title' });
    // The ETag from the conflict is stale now.
    await conflict(mine.updateCourse(course.courseId, { title: 'Late' }, { ifMatch: error.currentEtag! }));
  });

  it('lesson: the same, and the course staff rule comes before the version check', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId, { title: 'Original' });
    const path = `/api/courses/${course.courseId}/lessons/${lesson.lessonId}`;
    const mine = sdkFor(instructor);
    await mine.getCourseLesson(course.courseId, lesson.lessonId);
    const readEtag = mine.etagFor(path)!;
    expect(readEtag).toMatch(VERSIONED);

    await sdkFor(instructor).updateLesson(course.courseId, lesson.lessonId, { title: 'Theirs' });
    const error = await conflict<Lesson, { estimatedTime: number }>(
      mine.updateLesson(course.courseId, lesson.lessonId, { estimatedTime: 42 }, { ifMatch: readEtag }),
    );
    expect(error.attempted).toEqual({ estimatedTime: 42 });
    expect(error.current).toMatchObject({ lessonId: lesson.lessonId, title: 'Theirs', estimatedTime: lesson.estimatedTime });
    expect(error.currentEtag).toBe(await currentEtag(path, instructor.token));

    const kept = await mine.updateLesson(course.courseId, lesson.lessonId, { estimatedTime: 42 }, { ifMatch: error.currentEtag! });
    expect(kept).toMatchObject({ title: 'Theirs', estimatedTime: 42 });

    // Someone who may not edit the lesson learns nothing of it, stale ETag or not.
    const stranger = await createInstructor();
    const refused = await rejection(sdkFor(stranger).updateLesson(course.courseId, lesson.lessonId, { title: 'x' }, { ifMatch: readEtag }));
    expect(refused).not.toBeInstanceOf(ConflictError);
    expect(refused.status).toBe(403);
  });

  it('assignment: stale edit and stale delete are ConflictErrors with the current assignment', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const assignment = await createAssignment(instructor, course.courseId);
    const mine = sdkFor(instructor);
    await mine.getAssignment(assignment.assignmentId);
    const readEtag = mine.etagFor(`/api/assignments/${assignment.assignmentId}`)!;
    await sdkFor(instructor).updateAssignment(assignment.assignmentId, { points: 50 });

    const error = await conflict<Assignment, { title: string }>(mine.updateAssignment(assignment.assignmentId, { title: 'Mine' }, { ifMatch: readEtag }));
    expect(error.current).toMatchObject({ assignmentId: assignment.assignmentId, points: 50, title: assignment.title });
    expect(error.attempted).toEqual({ title: 'Mine' });
    const deleted = await conflict<Assignment, undefined>(mine.deleteAssignment(assignment.assignmentId, { ifMatch: readEtag }));
    expect(deleted.current).toMatchObject({ points: 50 });
    await expect(mine.updateAssignment(assignment.assignmentId, { title: 'Mine' }, { ifMatch: error.currentEtag! })).resolves.toMatchObject({
      title: 'Mine',
      points: 50,
    });
  });

  it('quiz: its GET answers a versioned ETag; a stale edit is a ConflictError with the staff view; a fresh one passes', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const quiz = await createQuiz(instructor, course.courseId);
    const path = `/api/quizzes/${quiz.quizId}`;
    const mine = sdkFor(instructor);
    await mine.getQuiz(quiz.quizId);
    const readEtag = mine.etagFor(path)!;
    expect(readEtag).toMatch(VERSIONED);
    // The tag still serves If-None-Match.
    expect((await api('GET', path, { token: instructor.token, headers: { 'if-none-match': readEtag } })).status).toBe(304);

    await sdkFor(instructor).updateQuiz(quiz.quizId, { title: 'Their quiz' });
    const error = await conflict<StaffQuiz, { passingScore: number }>(mine.updateQuiz(quiz.quizId, { passingScore: 70 }, { ifMatch: readEtag }));
    expect(error.attempted).toEqual({ passingScore: 70 });
    expect(error.current).toMatchObject({ view: 'staff', quizId: quiz.quizId, title: 'Their quiz', passingScore: null });
    expect(error.current!.questions).toHaveLength(quiz.questions.length);
    expect(error.currentEtag).toMatch(VERSIONED);
    expect(error.currentEtag).toBe(await currentEtag(path, instructor.token));
    expect((await api('GET', path, { token: instructor.token })).body.data).toMatchObject({ title: 'Their quiz', passingScore: null });

    const kept = await mine.updateQuiz(quiz.quizId, { passingScore: 70 }, { ifMatch: error.currentEtag! });
    expect(kept).toMatchObject({ title: 'Their quiz', passingScore: 70 });
    await expect(mine.updateQuiz(quiz.quizId, { title: 'Again' }, { ifMatch: mine.etagFor(path)! })).resolves.toMatchObject({ title: 'Again' });
    // Without If-Match an edit is unconditional, as before.
    await expect(mine.updateQuiz(quiz.quizId, { title: 'Unconditional' })).resolves.toMatchObject({ title: 'Unconditional' });
  });

  it('quiz: validation and permissions come before the version check, so a 412 never shows the answers to a student', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const quiz = await createQuiz(instructor, course.courseId);
    const student = await createStudent();
    await enroll(student, course.courseId);
    const stale = '"v1.stale"';

    const invalid = await rejection(sdkFor(instructor).updateQuiz(quiz.quizId, { passingScore: 101 }, { ifMatch: stale }));
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    const forbidden = await rejection(sdkFor(student).updateQuiz(quiz.quizId, { title: 'x' }, { ifMatch: stale }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).not.toHaveProperty('current');
    const missing = await rejection(sdkFor(instructor).updateQuiz('00000000-0000-4000-8000-000000000000', { title: 'x' }, { ifMatch: stale }));
    expect(missing.status).toBe(404);
    const anonymous = await rejection(sdkFor(undefined).updateQuiz(quiz.quizId, { title: 'x' }, { ifMatch: stale }));
    expect(anonymous.status).toBe(401);
  });

  it('profile and preferences: the profile ETag guards both; a stale one is a ConflictError with the current account', async () => {
    const student = await createStudent();
    const mine = sdkFor(student);
    const theirs = sdkFor(student);
    const profilePath = `/api/users/${student.id}/profile`;
    await mine.getUserProfile(student.id);
    const readEtag = mine.etagFor(profilePath)!;
    expect(readEtag).toMatch(VERSIONED);

    await theirs.updateProfile({ firstName: 'Theirname' });
    const error = await conflict<ProfileUser, { lastName: string }>(mine.updateProfile({ lastName: 'Minename' }, { ifMatch: readEtag }));
    expect(error.attempted).toEqual({ lastName: 'Minename' });
    expect(error.current).toMatchObject({ id: student.id, firstName: 'Theirname', lastName: student.lastName });
    expect(error.current).not.toHaveProperty('passwordHash');
    expect(error.currentEtag).toMatch(VERSIONED);
    const profile = await api('GET', profilePath, { token: student.token });
    expect(profile.body).toMatchObject({ firstName: 'Theirname', lastName: student.lastName });

    const preferences = await conflict<ProfileUser, unknown>(
      mine.updatePreferences({ userId: student.id, preferredStudyTime: 'evening' }, { ifMatch: readEtag }),
    );
    expect(preferences.current).toMatchObject({ firstName: 'Theirname' });
    expect(preferences.currentEtag).toBe(error.currentEtag);

    const kept = await mine.updateProfile({ lastName: 'Minename' }, { ifMatch: error.currentEtag! });
    expect(kept).toMatchObject({ firstName: 'Theirname', lastName: 'Minename' });
    const afterEdit = mine.etagFor('/api/profile/update')!;
    expect(afterEdit).toMatch(VERSIONED);
    expect(await mine.updatePreferences({ userId: student.id, preferredStudyTime: 'evening' }, { ifMatch: afterEdit })).toMatchObject({
      preferredStudyTime: 'evening',
    });
    // Preferences moved the version on: the profile edit's ETag is stale now, and the GET agrees with the new one.
    await conflict(mine.updateProfile({ firstName: 'Late' }, { ifMatch: afterEdit }));
    expect(versionOf(mine.etagFor('/api/profile/preferences')!)).toBe(versionOf(await currentEtag(profilePath, student.token)));
  });

  it('profile: another user is refused (403) before any version check, and an edit without If-Match is unconditional', async () => {
    const student = await createStudent();
    const other = await createStudent();
    const refused = await rejection(sdkFor(other).updateProfile({ userId: student.id, firstName: 'Hijack' }, { ifMatch: '"v1.stale"' }));
    expect(refused.status).toBe(403);
    expect(refused.body).not.toHaveProperty('current');
    await expect(sdkFor(student).updateProfile({ firstName: 'Plain' })).resolves.toMatchObject({ firstName: 'Plain' });
  });
});

describe('the OpenAPI document', () => {
  it('declares If-Match and the 412 body with the current version on every edit of a versioned resource', async () => {
    const doc = (await api('GET', '/api/docs/openapi.json')).body;
    const cases: [string, string, string][] = [
      ['/api/courses/{courseId}', 'put', 'CoursePreconditionFailed'],
      ['/api/courses/{courseId}/lessons/{lessonId}', 'put', 'LessonPreconditionFailed'],
      ['/api/assignments/{assignmentId}', 'put', 'AssignmentPreconditionFailed'],
      ['/api/quizzes/{quizId}', 'put', 'QuizPreconditionFailed'],
      ['/api/profile/update', 'put', 'ProfilePreconditionFailed'],
      ['/api/profile/preferences', 'put', 'ProfilePreconditionFailed'],
    ];
    for (const [path, method, schema] of cases) {
      const operation = doc.paths[path][method];
      expect(JSON.stringify(operation.responses['412']), `${method} ${path}`).toContain(`#/components/schemas/${schema}`);
      expect(operation.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'if-match'), `${method} ${path}`).toBe(true);
    }
  });
});

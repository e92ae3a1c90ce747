import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, createAssignment, createInstructor, createStudent, enroll, signInAdmin } from './support/api.js';
import {
  completeLesson,
  courseProgress,
  courseWithLessons,
  deleteLesson,
  ETAG,
  expectError,
  getLesson,
  ISO,
  lessonOrder,
  reorderLessons,
  updateLesson,
} from './support/authoring.js';

describe('GET /api/courses/:courseId/lessons/:lessonId', () => {
  it('answers one lesson as the list does, with an ETag and the enrolled caller\'s completion', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B']);
    const list = (await api('GET', `/api/courses/${courseId}/lessons`)).body.data;
    const res = await getLesson(courseId, lessons.B!);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: list[1] });
    expect(res.headers.get('etag')).toMatch(ETAG);
    expect((await api('GET', `/api/courses/${courseId}/lessons/${lessons.B}`, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);

    const student = await createStudent();
    await enroll(student, courseId);
    expect((await completeLesson(student, lessons.B!)).status).toBe(201);
    const mine = await getLesson(courseId, lessons.B!, student);
    expect(mine.body.data.completedAt).toMatch(ISO);
    expect((await getLesson(courseId, lessons.B!, instructor)).body.data.completedAt).toBeNull();
  });

  it('answers 404 for an unknown lesson or one of another course, 400 for bad ids', async () => {
    const { courseId } = await courseWithLessons(['A']);
    const other = await courseWithLessons(['X']);
    expectError(await getLesson(courseId, randomUUID()), 404, 'LESSON_NOT_FOUND');
    expectError(await getLesson(courseId, other.lessons.X!), 404, 'LESSON_NOT_FOUND');
    expectError(await getLesson(randomUUID(), other.lessons.X!), 404, 'COURSE_NOT_FOUND');
    expectError(await getLesson(courseId, 'nope'), 400, 'VALIDATION_ERROR');
  });
});

describe('PUT /api/courses/:courseId/lessons/:lessonId', () => {
  it('updates title, description and estimated time, answering the lesson with a new ETag', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B']);
    const before = (await getLesson(courseId, lessons.A!)).body.data;
    const res = await updateLesson(instructor, courseId, lessons.A!, {
      title: '  Renamed  ',
      description: 'New words',
      estimatedTime: 45,
      courseId: randomUUID(),
      lessonId: randomUUID(),
      createdAt: '2000-01-01T00:00:00.000Z',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Lesson updated successfully',
      data: {
        ...before,
        title: 'Renamed',
        description: 'New words',
        estimatedTime: 45,
        updatedAt: expect.stringMatching(ISO),
      },
    });
    expect(new Date(res.body.data.updatedAt).getTime()).toBeGreaterThan(new Date(before.updatedAt).getTime());
    expect(res.headers.get('etag')).toMatch(ETAG);
    const reread = await getLesson(courseId, lessons.A!);
    expect(reread.body.data).toEqual(res.body.data);
    expect(reread.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'Renamed'],
      [2, 'B'],
    ]);
  });

  it('moves a lesson up or down, shifting the others so that orders stay 1..n; beyond the end means last', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B', 'C', 'D', 'E']);
    const untouched = (await getLesson(courseId, lessons.E!)).body.data;

    const down = await updateLesson(instructor, courseId, lessons.B!, { order: 4 });
    expect(down.status).toBe(200);
    expect(down.body.data.order).toBe(4);
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'A'],
      [2, 'C'],
      [3, 'D'],
      [4, 'B'],
      [5, 'E'],
    ]);
    // lessons that did not move keep their version
    expect((await getLesson(courseId, lessons.E!)).body.data).toEqual(untouched);

    expect((await updateLesson(instructor, courseId, lessons.E!, { order: 1, title: 'E first' })).status).toBe(200);
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'E first'],
      [2, 'A'],
      [3, 'C'],
      [4, 'D'],
      [5, 'B'],
    ]);
    const last = await updateLesson(instructor, courseId, lessons.A!, { order: 99 });
    expect(last.body.data.order).toBe(5);
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'E first'],
      [2, 'C'],
      [3, 'D'],
      [4, 'B'],
      [5, 'A'],
    ]);
    // the same position changes nothing
    const same = await updateLesson(instructor, courseId, lessons.D!, { order: 3 });
    expect(same.status).toBe(200);
    expect(same.body.data.order).toBe(3);
  });

  it('refuses a stale If-Match with 412 and the current lesson, and honours a fresh one', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B']);
    const etag = (await getLesson(courseId, lessons.B!)).headers.get('etag')!;
    // someone else moves B (a change of the lesson itself)
    const moved = await updateLesson(instructor, courseId, lessons.A!, { order: 2 });
    expect(moved.status).toBe(200);
    const current = (await getLesson(courseId, lessons.B!, instructor));
    expect(current.body.data.order).toBe(1);

    const stale = await updateLesson(instructor, courseId, lessons.B!, { title: 'Mine' }, { 'if-match': etag });
    expectError(stale, 412, 'PRECONDITION_FAILED');
    expect(stale.body.current).toEqual(current.body.data);
    expect(stale.headers.get('etag')).toBe(current.headers.get('etag'));
    expect((await getLesson(courseId, lessons.B!)).body.data.title).toBe('B');

    const fresh = await updateLesson(instructor, courseId, lessons.B!, { title: 'Mine' }, { 'if-match': current.headers.get('etag')! });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.title).toBe('Mine');
  });

  it('validates the body and ids; 401, 403 for students and other instructors, admin allowed, 404 unknown', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A']);
    const other = await courseWithLessons(['X']);
    const student = await createStudent();
    await enroll(student, courseId);
    const bad = await updateLesson(instructor, courseId, lessons.A!, { title: '', estimatedTime: -1, order: 0 });
    expectError(bad, 400, 'VALIDATION_ERROR');
    expect(Object.keys(bad.body.details).sort()).toEqual(['body.estimatedTime', 'body.order', 'body.title']);
    expectError(await updateLesson(instructor, courseId, lessons.A!, {}), 400, 'VALIDATION_ERROR');
    expectError(await updateLesson(instructor, courseId, 'nope', { title: 'x' }), 400, 'VALIDATION_ERROR');

    expectError(await updateLesson(undefined, courseId, lessons.A!, { title: 'x' }), 401, 'UNAUTHENTICATED');
    expectError(await updateLesson(student, courseId, lessons.A!, { title: 'x' }), 403, 'FORBIDDEN');
    expectError(await updateLesson(await createInstructor(), courseId, lessons.A!, { title: 'x' }), 403, 'FORBIDDEN');
    expectError(await updateLesson(instructor, courseId, randomUUID(), { title: 'x' }), 404, 'LESSON_NOT_FOUND');
    // a lesson of another course is not reachable through this one
    expectError(await updateLesson(instructor, courseId, other.lessons.X!, { title: 'x' }), 404, 'LESSON_NOT_FOUND');
    expectError(await updateLesson(instructor, randomUUID(), lessons.A!, { title: 'x' }), 404, 'COURSE_NOT_FOUND');
    expect(await lessonOrder(courseId)).toEqual([[1, 'A']]);
    expect(await lessonOrder(other.courseId)).toEqual([[1, 'X']]);

    const admin = await signInAdmin();
    expect((await updateLesson(admin, courseId, lessons.A!, { title: 'By admin' })).status).toBe(200);
    expect(await lessonOrder(courseId)).toEqual([[1, 'By admin']]);
  });
});

describe('DELETE /api/courses/:courseId/lessons/:lessonId', () => {
  it('deletes the lesson and closes the gap; its completions go, its assignments stay in the course', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B', 'C', 'D']);
    const assignment = await createAssignment(instructor, courseId, { lessonId: lessons.B });
    const student = await createStudent();
    await enroll(student, courseId);
    expect((await completeLesson(student, lessons.B!)).status).toBe(201);
    expect((await courseProgress(student, courseId)).body.data.progress).toMatchObject({ totalLessons: 4, completedLessons: 1 });

    const res = await deleteLesson(instructor, courseId, lessons.B!);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Lesson deleted successfully' });
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'A'],
      [2, 'C'],
      [3, 'D'],
    ]);
    expectError(await getLesson(courseId, lessons.B!), 404, 'LESSON_NOT_FOUND');
    expect((await courseProgress(student, courseId)).body.data.progress).toMatchObject({ totalLessons: 3, completedLessons: 0 });
    const kept = await api('GET', `/api/assignments/${assignment.assignmentId}`, { token: instructor.token });
    expect(kept.status).toBe(200);
    expect(kept.body.data.lessonId).toBeUndefined();

    expect((await deleteLesson(instructor, courseId, lessons.D!)).status).toBe(200);
    expect((await deleteLesson(instructor, courseId, lessons.A!)).status).toBe(200);
    expect(await lessonOrder(courseId)).toEqual([[1, 'C']]);
    expectError(await deleteLesson(instructor, courseId, lessons.A!), 404, 'LESSON_NOT_FOUND');
  });

  it('completes the course for students whose only lesson left it was', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B']);
    const student = await createStudent();
    await enroll(student, courseId);
    expect((await completeLesson(student, lessons.A!)).status).toBe(201);
    expect((await courseProgress(student, courseId)).body.data.progress).toMatchObject({ completionPercentage: 50 });

    expect((await deleteLesson(instructor, courseId, lessons.B!)).status).toBe(200);
    expect((await courseProgress(student, courseId)).body.data.progress).toMatchObject({ totalLessons: 1, completionPercentage: 100 });
    const badges = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(badges.body.data.achievements.map((a: { badgeType: string }) => a.badgeType)).toContain('course_completer');
    const activity = await api('GET', `/api/users/${student.id}/activity`, { token: (await signInAdmin()).token });
    expect(activity.body.data.map((a: { type: string }) => a.type)).toContain('course_completed');
  });

  it('refuses without a token (401), students and other instructors (403); admins may; 404 and 400', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B']);
    const other = await courseWithLessons(['X']);
    const student = await createStudent();
    await enroll(student, courseId);
    expectError(await deleteLesson(undefined, courseId, lessons.A!), 401, 'UNAUTHENTICATED');
    expectError(await deleteLesson(student, courseId, lessons.A!), 403, 'FORBIDDEN');
    expectError(await deleteLesson(await createInstructor(), courseId, lessons.A!), 403, 'FORBIDDEN');
    expectError(await deleteLesson(instructor, courseId, other.lessons.X!), 404, 'LESSON_NOT_FOUND');
    expectError(await deleteLesson(instructor, randomUUID(), lessons.A!), 404, 'COURSE_NOT_FOUND');
    expectError(await deleteLesson(instructor, courseId, 'nope'), 400, 'VALIDATION_ERROR');
    expect(await lessonOrder(other.courseId)).toEqual([[1, 'X']]);

    const admin = await signInAdmin();
    expect((await deleteLesson(admin, courseId, lessons.A!)).status).toBe(200);
    expect(await lessonOrder(courseId)).toEqual([[1, 'B']]);
  });
});

describe('POST /api/courses/:courseId/lessons/reorder', () => {
  it('sets the whole order at once and answers the lessons in their new order', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B', 'C', 'D']);
    const res = await reorderLessons(instructor, courseId, [lessons.D, lessons.B, lessons.A, lessons.C]);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Lessons reordered successfully');
    expect(res.body.data.map((l: { title: string; order: number }) => [l.order, l.title])).toEqual([
      [1, 'D'],
      [2, 'B'],
      [3, 'A'],
      [4, 'C'],
    ]);
    expect(res.body.data[0]).toEqual({
      lessonId: lessons.D,
      courseId,
      title: 'D',
      description: expect.any(String),
      order: 1,
      estimatedTime: 20,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      completedAt: null,
    });
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'D'],
      [2, 'B'],
      [3, 'A'],
      [4, 'C'],
    ]);
    // the full reverse, then a no-op
    expect((await reorderLessons(instructor, courseId, [lessons.C, lessons.A, lessons.B, lessons.D])).status).toBe(200);
    expect((await lessonOrder(courseId)).map(([, title]) => title)).toEqual(['C', 'A', 'B', 'D']);
    expect((await reorderLessons(instructor, courseId, [lessons.C, lessons.A, lessons.B, lessons.D])).status).toBe(200);
    expect((await lessonOrder(courseId)).map(([, title]) => title)).toEqual(['C', 'A', 'B', 'D']);
  });

  it('requires exactly the course\'s lessons, each once (400), and changes nothing otherwise', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B', 'C']);
    const other = await courseWithLessons(['X']);
    const cases = [
      [lessons.A, lessons.B],
      [lessons.A, lessons.B, lessons.C, other.lessons.X],
      [lessons.A, lessons.B, other.lessons.X],
      [lessons.A, lessons.A, lessons.B],
      [lessons.A, lessons.A, lessons.B, lessons.C],
      [],
    ];
    for (const lessonIds of cases) {
      const res = await reorderLessons(instructor, courseId, lessonIds);
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.details).toEqual({ 'body.lessonIds': "must list each of the course's 3 lessons exactly once" });
    }
    expectError(await reorderLessons(instructor, courseId, ['nope']), 400, 'VALIDATION_ERROR');
    expectError(await reorderLessons(instructor, courseId, 'A,B,C'), 400, 'VALIDATION_ERROR');
    expect(await lessonOrder(courseId)).toEqual([
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
    ]);
  });

  it('refuses without a token (401), students and other instructors (403); admins may; 404 unknown course', async () => {
    const { instructor, courseId, lessons } = await courseWithLessons(['A', 'B']);
    const student = await createStudent();
    const order = [lessons.B, lessons.A];
    expectError(await reorderLessons(undefined, courseId, order), 401, 'UNAUTHENTICATED');
    expectError(await reorderLessons(student, courseId, order), 403, 'FORBIDDEN');
    expectError(await reorderLessons(await createInstructor(), courseId, order), 403, 'FORBIDDEN');
    expectError(await reorderLessons(instructor, randomUUID(), order), 404, 'COURSE_NOT_FOUND');
    expect((await lessonOrder(courseId)).map(([, title]) => title)).toEqual(['A', 'B']);
    const admin = await signInAdmin();
    expect((await reorderLessons(admin, courseId, order)).status).toBe(200);
    expect((await lessonOrder(courseId)).map(([, title]) => title)).toEqual(['B', 'A']);
  });

  it('keeps orders unique and gap-free under concurrent moves, deletions, additions and reorders', async () => {
    const titles = ['A', 'B', 'C', 'D', 'E', 'F'];
    const { instructor, courseId, lessons } = await courseWithLessons(titles);
    const results = await Promise.all([
      updateLesson(instructor, courseId, lessons.A!, { order: 6 }),
      updateLesson(instructor, courseId, lessons.F!, { order: 1 }),
      deleteLesson(instructor, courseId, lessons.C!),
      api('POST', `/api/courses/${courseId}/lessons`, { token: instructor.token, body: { title: 'New', order: 2 } }),
      updateLesson(instructor, courseId, lessons.D!, { order: 2 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 201, 200]);
    const order = await lessonOrder(courseId);
    expect(order.map(([position]) => position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(order.map(([, title]) => title).sort()).toEqual(['A', 'B', 'D', 'E', 'F', 'New']);
  });
});

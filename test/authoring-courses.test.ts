import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './support/api.js';
import {
  completeLesson,
  deleteCourse,
  ETAG,
  expectError,
  getCourse,
  getLesson,
  ISO,
  submitAssignment,
  updateCourse,
} from './support/authoring.js';

async function profileOf(user: TestUser) {
  const res = await api('GET', `/api/users/${user.id}/profile`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

const prerequisiteIdsOf = async (courseId: string) =>
  ((await getCourse(courseId)).body.data.prerequisites as { prerequisiteId: string }[]).map((p) => p.prerequisiteId).sort();

describe('PUT /api/courses/:courseId', () => {
  it('updates the whitelisted fields and answers the course as POST /api/courses does, with a new ETag', async () => {
    const instructor = await createInstructor();
    const basics = await createCourse(instructor, { title: 'Basics' });
    const course = await createCourse(instructor, { title: 'Old title', description: 'Old', category: 'art' });
    const loaded = await getCourse(course.courseId, instructor);
    expect(loaded.headers.get('etag')).toMatch(ETAG);

    const res = await updateCourse(instructor, course.courseId, {
      title: '  New title  ',
      description: 'New description',
      thumbnailUrl: 'https://cdn.example.com/new.png',
      category: 'science',
      difficultyLevel: 'advanced',
      prerequisiteIds: [basics.courseId],
    });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Course updated successfully');
    const data = res.body.data;
    expect(data).toEqual({
      ...course,
      title: 'New title',
      description: 'New description',
      thumbnailUrl: 'https://cdn.example.com/new.png',
      category: 'science',
      difficultyLevel: 'advanced',
      updatedAt: expect.stringMatching(ISO),
      prerequisites: [
        {
          id: expect.any(String),
          prerequisiteId: basics.courseId,
          prerequisite: { courseId: basics.courseId, title: 'Basics', category: 'programming', difficultyLevel: 'beginner' },
          satisfied: false,
        },
      ],
    });
    expect(new Date(data.updatedAt).getTime()).toBeGreaterThan(new Date(course.updatedAt).getTime());
    expect(data.createdAt).toBe(course.createdAt);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(ETAG);
    expect(etag).not.toBe(loaded.headers.get('etag'));

    // read back: the details, the catalogue and the prerequisite's requiredBy show the change
    const after = await getCourse(course.courseId, instructor);
    expect(after.body.data).toEqual(data);
    expect(after.headers.get('etag')).toBe(etag);
    const listed = await api('GET', '/api/courses', { query: { instructorId: instructor.id, category: 'science' } });
    expect(listed.body.data.map((c: { title: string }) => c.title)).toEqual(['New title']);
    const required = (await getCourse(basics.courseId)).body.data.requiredBy;
    expect(required.map((r: { courseId: string }) => r.courseId)).toEqual([course.courseId]);
  });

  it('changes only the fields sent and ignores ids, ratings, dates and statistics (no mass assignment)', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { title: 'Keep me', description: 'Keep this too' });
    const other = await createCourse(instructor);
    const res = await updateCourse(instructor, course.courseId, {
      ...course,
      title: 'Renamed',
      courseId: other.courseId,
      instructorId: instructor.id,
      createdAt: '2000-01-01T00:00:00.000Z',
      averageRating: 5,
      statistics: { totalEnrollments: 999, averageRating: 5, totalLessons: 9, totalAssignments: 9, totalQuizzes: 9 },
      lessons: [{ lessonId: randomUUID(), title: 'Injected', order: 1 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      courseId: course.courseId,
      title: 'Renamed',
      description: 'Keep this too',
      instructorId: instructor.id,
      createdAt: course.createdAt,
      lessons: [],
      statistics: { totalEnrollments: 0, averageRating: 0, totalLessons: 0, totalAssignments: 0, totalQuizzes: 0 },
    });
    expect((await getCourse(other.courseId)).body.data.title).toBe(other.title);

    const partial = await updateCourse(instructor, course.courseId, { difficultyLevel: 'intermediate' });
    expect(partial.status).toBe(200);
    expect(partial.body.data).toMatchObject({ title: 'Renamed', description: 'Keep this too', difficultyLevel: 'intermediate' });
  });

  it('replaces the prerequisite set: adds, removes, deduplicates and clears', async () => {
    const instructor = await createInstructor();
    const a = await createCourse(instructor, { title: 'A' });
    const b = await createCourse(instructor, { title: 'B' });
    const c = await createCourse(instructor, { title: 'C' });
    const course = await createCourse(instructor, { prerequisiteIds: [a.courseId, b.courseId] });

    const replaced = await updateCourse(instructor, course.courseId, { prerequisiteIds: [b.courseId, c.courseId, c.courseId] });
    expect(replaced.status).toBe(200);
    expect(await prerequisiteIdsOf(course.courseId)).toEqual([b.courseId, c.courseId].sort());
    expect((await getCourse(a.courseId)).body.data.requiredBy).toEqual([]);

    const cleared = await updateCourse(instructor, course.courseId, { prerequisiteIds: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data.prerequisites).toEqual([]);
    expect(await prerequisiteIdsOf(course.courseId)).toEqual([]);
    expect((await getCourse(b.courseId)).body.data.requiredBy).toEqual([]);
  });

  it('refuses a prerequisite cycle or the course itself with 400 PREREQUISITE_CYCLE and changes nothing', async () => {
    const instructor = await createInstructor();
    const a = await createCourse(instructor, { title: 'A' });
    const b = await createCourse(instructor, { title: 'B', prerequisiteIds: [a.courseId] });
    const c = await createCourse(instructor, { title: 'C', prerequisiteIds: [b.courseId] });

    const self = await updateCourse(instructor, a.courseId, { title: 'A renamed', prerequisiteIds: [a.courseId] });
    expectError(self, 400, 'PREREQUISITE_CYCLE');
    const cycle = await updateCourse(instructor, a.courseId, { title: 'A renamed', prerequisiteIds: [c.courseId] });
    expectError(cycle, 400, 'PREREQUISITE_CYCLE');
    const direct = await updateCourse(instructor, a.courseId, { prerequisiteIds: [b.courseId] });
    expectError(direct, 400, 'PREREQUISITE_CYCLE');
    // the whole edit was rolled back, title included
    const after = (await getCourse(a.courseId)).body.data;
    expect(after.title).toBe('A');
    expect(after.prerequisites).toEqual([]);
    expect(after.updatedAt).toBe(a.updatedAt);
    // a course may still require an unrelated one
    expect((await updateCourse(instructor, c.courseId, { prerequisiteIds: [a.courseId, b.courseId] })).status).toBe(200);
  });

  it('lets only one of two concurrent edits that would require each other through, without a deadlock', async () => {
    const instructor = await createInstructor();
    const a = await createCourse(instructor, { title: 'A' });
    const b = await createCourse(instructor, { title: 'B' });
    const results = await Promise.all([
      updateCourse(instructor, a.courseId, { prerequisiteIds: [b.courseId] }),
      updateCourse(instructor, b.courseId, { prerequisiteIds: [a.courseId] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)!.body.code).toBe('PREREQUISITE_CYCLE');
    const links = [...(await prerequisiteIdsOf(a.courseId)), ...(await prerequisiteIdsOf(b.courseId))];
    expect(links).toHaveLength(1);
  });

  it('validates the body, naming each field, and refuses unknown prerequisites and empty edits', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const res = await updateCourse(instructor, course.courseId, {
      title: '',
      description: 'd'.repeat(5001),
      thumbnailUrl: 'javascript:alert(1)',
      category: 'cooking',
      difficultyLevel: 'expert',
      instructorId: 'nope',
      prerequisiteIds: ['nope'],
    });
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(Object.keys(res.body.details).sort()).toEqual(
      [
        'body.category',
        'body.description',
        'body.difficultyLevel',
        'body.instructorId',
        'body.prerequisiteIds.0',
        'body.thumbnailUrl',
        'body.title',
      ].sort(),
    );
    const unknown = randomUUID();
    const missing = await updateCourse(instructor, course.courseId, { prerequisiteIds: [unknown] });
    expectError(missing, 400, 'VALIDATION_ERROR');
    expect(missing.body.details['body.prerequisiteIds']).toContain(unknown);
    const empty = await updateCourse(instructor, course.courseId, { averageRating: 5 });
    expectError(empty, 400, 'VALIDATION_ERROR');
    expectError(await updateCourse(instructor, 'not-an-id', { title: 'x' }), 400, 'VALIDATION_ERROR');
    // nothing changed
    expect((await getCourse(course.courseId)).body.data).toEqual(course);
  });

  it('lets the instructor and admins edit; 401 without a token, 403 for students and other instructors, 404 unknown', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    await enroll(student, course.courseId);
    const stranger = await createInstructor();
    const admin = await signInAdmin();

    expectError(await updateCourse(undefined, course.courseId, { title: 'x' }), 401, 'UNAUTHENTICATED');
    expectError(
      await api('PUT', `/api/courses/${course.courseId}`, { token: 'bad.token', body: { title: 'x' } }),
      401,
      'INVALID_TOKEN',
    );
    expectError(await updateCourse(student, course.courseId, { title: 'x' }), 403, 'FORBIDDEN');
    expectError(await updateCourse(stranger, course.courseId, { title: 'x' }), 403, 'FORBIDDEN');
    expect((await getCourse(course.courseId)).body.data.title).toBe(course.title);

    const byAdmin = await updateCourse(admin, course.courseId, { title: 'Edited by admin' });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data).toMatchObject({ title: 'Edited by admin', instructorId: instructor.id });
    expectError(await updateCourse(instructor, randomUUID(), { title: 'x' }), 404, 'COURSE_NOT_FOUND');
    expectError(await updateCourse(admin, randomUUID(), { title: 'x' }), 404, 'COURSE_NOT_FOUND');
  });

  it('moves a course to another instructor only when an admin asks, and only to an instructor', async () => {
    const instructor = await createInstructor();
    const successor = await createInstructor();
    const course = await createCourse(instructor);
    const admin = await signInAdmin();

    expectError(await updateCourse(instructor, course.courseId, { instructorId: successor.id }), 403, 'FORBIDDEN');
    const student = await createStudent();
    const notInstructor = await updateCourse(admin, course.courseId, { instructorId: student.id });
    expectError(notInstructor, 400, 'VALIDATION_ERROR');
    expect(notInstructor.body.details).toEqual({ 'body.instructorId': 'must name an instructor' });
    expectError(await updateCourse(admin, course.courseId, { instructorId: randomUUID() }), 404, 'USER_NOT_FOUND');
    expect((await getCourse(course.courseId)).body.data.instructorId).toBe(instructor.id);

    const moved = await updateCourse(admin, course.courseId, { instructorId: successor.id });
    expect(moved.status).toBe(200);
    expect(moved.body.data.instructorId).toBe(successor.id);
    expect(moved.body.data.instructor).toMatchObject({ id: successor.id, username: successor.username });
    // the former instructor lost the course, the new one has it
    expectError(await updateCourse(instructor, course.courseId, { title: 'mine?' }), 403, 'FORBIDDEN');
    expect((await updateCourse(successor, course.courseId, { title: 'Now mine' })).status).toBe(200);
  });
});

describe('PUT /api/courses/:courseId with If-Match', () => {
  it('applies an edit sent with the current ETag and refuses a stale one with 412 and the current course', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { title: 'Original' });
    const etag = (await getCourse(course.courseId, instructor)).headers.get('etag')!;

    const first = await updateCourse(instructor, course.courseId, { title: 'First edit' }, { 'if-match': etag });
    expect(first.status).toBe(200);
    const newTag = first.headers.get('etag')!;
    expect(newTag).not.toBe(etag);

    // a second editor still holding the old ETag must not overwrite the first edit
    const stale = await updateCourse(instructor, course.courseId, { title: 'Second edit' }, { 'if-match': etag });
    expectError(stale, 412, 'PRECONDITION_FAILED');
    expect(Object.keys(stale.body).sort()).toEqual(['code', 'current', 'error', 'requestId', 'status']);
    expect(stale.body.current).toEqual(first.body.data);
    expect(stale.headers.get('etag')).toBe(newTag);
    expect((await getCourse(course.courseId)).body.data.title).toBe('First edit');

    // retrying with the ETag from the 412 works
    const retried = await updateCourse(instructor, course.courseId, { title: 'Second edit' }, { 'if-match': stale.headers.get('etag')! });
    expect(retried.status).toBe(200);
    expect(retried.body.data.title).toBe('Second edit');
  });

  it("ignores changes that are not the course's own (a new rating), accepts *, and refuses weak or foreign tags", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const loaded = await getCourse(course.courseId, instructor);
    const etag = loaded.headers.get('etag')!;

    const student = await createStudent();
    await enroll(student, course.courseId);
    const rated = await api('POST', `/api/courses/${course.courseId}/ratings`, { token: student.token, body: { rating: 4 } });
    expect(rated.status).toBe(201);
    // the representation changed (If-None-Match no longer matches) but the course itself did not
    const cached = await api('GET', `/api/courses/${course.courseId}`, { token: instructor.token, headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(200);
    const unchanged = await api('GET', `/api/courses/${course.courseId}`, {
      token: instructor.token,
      headers: { 'if-none-match': cached.headers.get('etag')! },
    });
    expect(unchanged.status).toBe(304);
    const edit = await updateCourse(instructor, course.courseId, { description: 'Still mine' }, { 'if-match': etag });
    expect(edit.status).toBe(200);

    expectError(await updateCourse(instructor, course.courseId, { title: 'weak' }, { 'if-match': `W/${edit.headers.get('etag')}` }), 412, 'PRECONDITION_FAILED');
    expectError(await updateCourse(instructor, course.courseId, { title: 'foreign' }, { 'if-match': '"abc"' }), 412, 'PRECONDITION_FAILED');
    const listed = await updateCourse(instructor, course.courseId, { title: 'listed' }, { 'if-match': `"abc", ${edit.headers.get('etag')}` });
    expect(listed.status).toBe(200);
    const any = await updateCourse(instructor, course.courseId, { title: 'any' }, { 'if-match': '*' });
    expect(any.status).toBe(200);
    expect((await getCourse(course.courseId)).body.data.title).toBe('any');
  });

  it('lets exactly one of two concurrent edits with the same ETag through', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const etag = (await getCourse(course.courseId, instructor)).headers.get('etag')!;
    const results = await Promise.all(
      ['Left', 'Right'].map((title) => updateCourse(instructor, course.courseId, { title }, { 'if-match': etag })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await getCourse(course.courseId)).body.data.title).toBe(winner.body.data.title);
  });
});

describe('DELETE /api/courses/:courseId', () => {
  it("deletes the course with its lessons, assignments, quizzes, enrollments, submissions, completions and ratings", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const follower = await createCourse(instructor, { prerequisiteIds: [course.courseId] });
    const lesson = await createLesson(instructor, course.courseId);
    await createLesson(instructor, course.courseId);
    const assignment = await createAssignment(instructor, course.courseId, { lessonId: lesson.lessonId });
    const quiz = await api('POST', '/api/quizzes', {
      token: instructor.token,
      body: {
        courseId: course.courseId,
        title: 'Check',
        questions: [{ type: 'true_false', prompt: 'Is it?', correctAnswer: true, points: 1 }],
      },
    });
    expect(quiz.status).toBe(201);
    const quizId = quiz.body.data.quizId;

    const student = await createStudent();
    await enroll(student, course.courseId);
    expect((await completeLesson(student, lesson.lessonId)).status).toBe(201);
    expect((await submitAssignment(student, assignment.assignmentId)).status).toBe(201);
    const rated = await api('POST', `/api/courses/${course.courseId}/ratings`, { token: student.token, body: { rating: 5 } });
    expect(rated.status).toBe(201);
    const before = await profileOf(student);
    expect(before.statistics).toMatchObject({ totalCourses: 1, totalLessonsCompleted: 1, totalAssignmentsSubmitted: 1 });
    expect(before.ratings).toHaveLength(1);

    const res = await deleteCourse(instructor, course.courseId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Course deleted successfully' });

    // the course and everything in it answer 404
    expectError(await getCourse(course.courseId), 404, 'COURSE_NOT_FOUND');
    expectError(await api('GET', `/api/courses/${course.courseId}/lessons`), 404, 'COURSE_NOT_FOUND');
    expectError(await getLesson(course.courseId, lesson.lessonId), 404, 'COURSE_NOT_FOUND');
    expectError(
      await api('GET', `/api/assignments/${assignment.assignmentId}`, { token: instructor.token }),
      404,
      'ASSIGNMENT_NOT_FOUND',
    );
    expect((await api('GET', `/api/quizzes/${quizId}`, { token: instructor.token })).status).toBe(404);
    expectError(await completeLesson(student, lesson.lessonId), 404, 'LESSON_NOT_FOUND');
    // the student's rows are gone: enrollment, completion, submission, rating
    const after = await profileOf(student);
    expect(after.enrollments).toEqual([]);
    expect(after.ratings).toEqual([]);
    expect(after.statistics).toMatchObject({ totalCourses: 0, totalLessonsCompleted: 0, totalAssignmentsSubmitted: 0 });
    const mine = await api('GET', '/api/assignments', { token: student.token });
    expect(mine.body.pagination.totalCount).toBe(0);
    const progress = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
    expect(progress.body.data).toEqual([]);
    // the course that required it no longer does; the catalogue no longer lists it
    expect((await getCourse(follower.courseId)).body.data.prerequisites).toEqual([]);
    const listed = await api('GET', '/api/courses', { query: { instructorId: instructor.id } });
    expect(listed.body.data.map((c: { courseId: string }) => c.courseId)).toEqual([follower.courseId]);

    expectError(await deleteCourse(instructor, course.courseId), 404, 'COURSE_NOT_FOUND');
  });

  it('lets the instructor and admins delete; 401 without a token, 403 for students and other instructors, 404 unknown', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    await enroll(student, course.courseId);
    const stranger = await createInstructor();

    expectError(await deleteCourse(undefined, course.courseId), 401, 'UNAUTHENTICATED');
    expectError(await deleteCourse(student, course.courseId), 403, 'FORBIDDEN');
    expectError(await deleteCourse(stranger, course.courseId), 403, 'FORBIDDEN');
    expectError(await deleteCourse(instructor, 'nope'), 400, 'VALIDATION_ERROR');
    expectError(await deleteCourse(instructor, randomUUID()), 404, 'COURSE_NOT_FOUND');
    expect((await getCourse(course.courseId)).status).toBe(200);

    const admin = await signInAdmin();
    expect((await deleteCourse(admin, course.courseId)).status).toBe(200);
    expectError(await getCourse(course.courseId), 404, 'COURSE_NOT_FOUND');
  });
});

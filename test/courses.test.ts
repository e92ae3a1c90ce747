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
  uniqueSuffix,
} from './support/api.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const anyIso = expect.stringMatching(ISO);
const anyId = expect.stringMatching(UUID);

const instructorOf = (user: TestUser) => ({
  id: user.id,
  firstName: user.firstName,
  lastName: user.lastName,
  username: user.username,
  avatarUrl: expect.any(String),
});

async function rate(student: TestUser, courseId: string, body: Record<string, unknown>) {
  return api('POST', `/api/courses/${courseId}/ratings`, { token: student.token, body });
}

async function listCourses(query: Record<string, string | number | undefined>) {
  const res = await api('GET', '/api/courses', { query });
  expect(res.status).toBe(200);
  return res.body as { data: any[]; pagination: any };
}

async function details(courseId: string, user?: TestUser) {
  const res = await api('GET', `/api/courses/${courseId}`, { token: user?.token });
  expect(res.status).toBe(200);
  return res.body.data;
}

/** A student who enrolled in the course and rated it. */
async function raterOf(courseId: string, rating: number, review?: string) {
  const student = await createStudent();
  await enroll(student, courseId);
  const res = await rate(student, courseId, review === undefined ? { rating } : { rating, review });
  expect(res.status).toBe(201);
  return student;
}

describe('POST /api/courses', () => {
  it('creates a course for the calling instructor and answers CourseDetails', async () => {
    const instructor = await createInstructor();
    const title = `Intro to Rust ${uniqueSuffix()}`;
    const res = await api('POST', '/api/courses', {
      token: instructor.token,
      body: {
        title: `  ${title}  `,
        description: 'Ownership and borrowing',
        thumbnailUrl: 'https://cdn.example.com/rust.png',
        category: 'programming',
        difficultyLevel: 'intermediate',
        instructorId: instructor.id,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('Course created successfully');
    expect(res.body.data).toEqual({
      courseId: anyId,
      title,
      description: 'Ownership and borrowing',
      thumbnailUrl: 'https://cdn.example.com/rust.png',
      category: 'programming',
      difficultyLevel: 'intermediate',
      instructorId: instructor.id,
      instructor: instructorOf(instructor),
      createdAt: anyIso,
      updatedAt: anyIso,
      prerequisites: [],
      requiredBy: [],
      lessons: [],
      assignments: [],
      quizzes: [],
      ratings: [],
      statistics: { totalEnrollments: 0, averageRating: 0, totalLessons: 0, totalAssignments: 0, totalQuizzes: 0 },
    });
    // read back: the details and the catalogue show it
    expect(await details(res.body.data.courseId)).toEqual(res.body.data);
    const listed = await listCourses({ instructorId: instructor.id });
    expect(listed.data.map((c) => c.courseId)).toEqual([res.body.data.courseId]);
  });

  it('accepts an empty thumbnail and description', async () => {
    const instructor = await createInstructor();
    const res = await api('POST', '/api/courses', {
      token: instructor.token,
      body: { title: 'Minimal', thumbnailUrl: '', category: 'art', difficultyLevel: 'beginner' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ thumbnailUrl: '', description: '', instructorId: instructor.id });
  });

  it('validates the body field by field', async () => {
    const instructor = await createInstructor();
    const res = await api('POST', '/api/courses', {
      token: instructor.token,
      body: {
        title: 'x'.repeat(201),
        description: 'd'.repeat(5001),
        thumbnailUrl: 'javascript:alert(1)',
        category: 'cooking',
        difficultyLevel: 'expert',
        instructorId: 'not-an-id',
        prerequisiteIds: ['nope'],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(Object.keys(res.body.details).sort()).toEqual(
      [
        'body.title',
        'body.description',
        'body.thumbnailUrl',
        'body.category',
        'body.difficultyLevel',
        'body.instructorId',
        'body.prerequisiteIds.0',
      ].sort(),
    );
    const missing = await api('POST', '/api/courses', { token: instructor.token, body: { title: '   ' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual({
      'body.title': expect.any(String),
      'body.category': expect.any(String),
      'body.difficultyLevel': expect.any(String),
    });
    // nothing was created
    expect((await listCourses({ instructorId: instructor.id })).pagination.totalCount).toBe(0);
  });

  it('refuses anonymous callers (401) and students (403)', async () => {
    const body = { title: 'Nope', category: 'art', difficultyLevel: 'beginner' };
    const anonymous = await api('POST', '/api/courses', { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const badToken = await api('POST', '/api/courses', { body, token: 'not.a.jwt' });
    expect(badToken.status).toBe(401);
    const student = await createStudent();
    const asStudent = await api('POST', '/api/courses', { token: student.token, body });
    expect(asStudent.status).toBe(403);
    expect(asStudent.body.code).toBe('FORBIDDEN');
    expect((await listCourses({ instructorId: student.id })).pagination.totalCount).toBe(0);
  });

  it("refuses an instructor naming another instructor's id (403)", async () => {
    const instructor = await createInstructor();
    const other = await createInstructor();
    const res = await api('POST', '/api/courses', {
      token: instructor.token,
      body: { title: 'Not mine', category: 'art', difficultyLevel: 'beginner', instructorId: other.id },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await listCourses({ instructorId: other.id })).pagination.totalCount).toBe(0);
  });

  it('lets an admin create a course for an existing instructor, and only for an instructor', async () => {
    const admin = await signInAdmin();
    const instructor = await createInstructor();
    const res = await api('POST', '/api/courses', {
      token: admin.token,
      body: { title: 'On behalf', category: 'music', difficultyLevel: 'advanced', instructorId: instructor.id },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.instructorId).toBe(instructor.id);
    expect(res.body.data.instructor).toEqual(instructorOf(instructor));
    expect((await listCourses({ instructorId: instructor.id })).data.map((c) => c.courseId)).toEqual([res.body.data.courseId]);

    const unknown = await api('POST', '/api/courses', {
      token: admin.token,
      body: { title: 'Ghost', category: 'music', difficultyLevel: 'advanced', instructorId: randomUUID() },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');

    const student = await createStudent();
    const notInstructor = await api('POST', '/api/courses', {
      token: admin.token,
      body: { title: 'Student course', category: 'music', difficultyLevel: 'advanced', instructorId: student.id },
    });
    expect(notInstructor.status).toBe(400);
    expect(notInstructor.body.details).toEqual({ 'body.instructorId': 'must name an instructor' });
    expect((await listCourses({ instructorId: student.id })).pagination.totalCount).toBe(0);
  });

  it('records prerequisites, mirrored as requiredBy on the prerequisite course', async () => {
    const instructor = await createInstructor();
    const basics = await createCourse(instructor, { title: `Basics ${uniqueSuffix()}`, category: 'science', difficultyLevel: 'beginner' });
    const middle = await createCourse(instructor, { title: `Middle ${uniqueSuffix()}`, category: 'design' });
    const advanced = await createCourse(instructor, {
      title: `Advanced ${uniqueSuffix()}`,
      prerequisiteIds: [basics.courseId, middle.courseId, basics.courseId],
    });
    expect(advanced.prerequisites).toEqual([
      {
        id: anyId,
        prerequisiteId: basics.courseId,
        prerequisite: { courseId: basics.courseId, title: basics.title, category: 'science', difficultyLevel: 'beginner' },
        satisfied: false,
      },
      {
        id: anyId,
        prerequisiteId: middle.courseId,
        prerequisite: { courseId: middle.courseId, title: middle.title, category: 'design', difficultyLevel: 'beginner' },
        satisfied: false,
      },
    ]);
    const basicsNow = await details(basics.courseId);
    expect(basicsNow.requiredBy).toEqual([
      {
        id: advanced.prerequisites[0].id,
        courseId: advanced.courseId,
        course: { courseId: advanced.courseId, title: advanced.title, category: 'programming' },
      },
    ]);
    expect(basicsNow.prerequisites).toEqual([]);
  });

  it('refuses unknown prerequisites with 400 naming them, and creates nothing', async () => {
    const instructor = await createInstructor();
    const known = await createCourse(instructor);
    const missing = randomUUID();
    const title = `Orphan ${uniqueSuffix()}`;
    const res = await api('POST', '/api/courses', {
      token: instructor.token,
      body: { title, category: 'art', difficultyLevel: 'beginner', prerequisiteIds: [known.courseId, missing] },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.error).toContain(missing);
    expect(res.body.error).not.toContain(known.courseId);
    expect(res.body.details['body.prerequisiteIds']).toContain(missing);
    expect((await listCourses({ search: title })).pagination.totalCount).toBe(0);
    expect((await details(known.courseId)).requiredBy).toEqual([]);
  });
});

describe('GET /api/courses', () => {
  it('lists each course with its instructor and counts (active enrollments, ratings, average)', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { category: 'business', difficultyLevel: 'advanced' });
    await createLesson(instructor, course.courseId);
    await createLesson(instructor, course.courseId);
    await raterOf(course.courseId, 4);
    await raterOf(course.courseId, 5, 'Great');
    await enroll(await createStudent(), course.courseId);

    const list = await listCourses({ instructorId: instructor.id });
    expect(list.data).toEqual([
      {
        courseId: course.courseId,
        title: course.title,
        description: 'A course made by a test',
        thumbnailUrl: 'https://example.com/thumb.png',
        category: 'business',
        difficultyLevel: 'advanced',
        instructor: instructorOf(instructor),
        averageRating: 4.5,
        totalLessons: 2,
        totalEnrollments: 3,
        totalRatings: 2,
        createdAt: course.createdAt,
        updatedAt: anyIso,
      },
    ]);
    expect(list.pagination).toEqual({ page: 1, limit: 10, totalCount: 1, totalPages: 1, hasNext: false, hasPrev: false });
  });

  it('filters by category, difficulty and instructor, alone and combined', async () => {
    const instructor = await createInstructor();
    const progBeginner = await createCourse(instructor, { category: 'programming', difficultyLevel: 'beginner' });
    const designBeginner = await createCourse(instructor, { category: 'design', difficultyLevel: 'beginner' });
    const progAdvanced = await createCourse(instructor, { category: 'programming', difficultyLevel: 'advanced' });
    const ids = async (query: Record<string, string>) =>
      (await listCourses({ limit: 100, ...query })).data.map((c) => c.courseId).sort();

    expect(await ids({ instructorId: instructor.id })).toEqual(
      [progBeginner.courseId, designBeginner.courseId, progAdvanced.courseId].sort(),
    );
    expect(await ids({ instructorId: instructor.id, category: 'programming' })).toEqual(
      [progBeginner.courseId, progAdvanced.courseId].sort(),
    );
    expect(await ids({ instructorId: instructor.id, difficulty: 'beginner' })).toEqual(
      [progBeginner.courseId, designBeginner.courseId].sort(),
    );
    expect(await ids({ instructorId: instructor.id, category: 'programming', difficulty: 'advanced' })).toEqual([
      progAdvanced.courseId,
    ]);
    expect(await ids({ instructorId: instructor.id, category: 'design', difficulty: 'advanced' })).toEqual([]);
    expect(await ids({ instructorId: randomUUID() })).toEqual([]);

    // each filter alone: every result matches it
    const designs = await listCourses({ category: 'design', limit: 100 });
    expect(designs.data.every((c) => c.category === 'design')).toBe(true);
    expect(designs.pagination.totalCount).toBeGreaterThanOrEqual(1);
    const advanced = await listCourses({ difficulty: 'advanced', limit: 100 });
    expect(advanced.data.every((c) => c.difficultyLevel === 'advanced')).toBe(true);
    expect(advanced.pagination.totalCount).toBeGreaterThanOrEqual(1);
  });

  it('searches title and description case-insensitively, treating % and _ literally', async () => {
    const instructor = await createInstructor();
    const token = `zq${uniqueSuffix()}`;
    const inTitle = await createCourse(instructor, { title: `Learn ${token.toUpperCase()} fast` });
    const inDescription = await createCourse(instructor, { description: `All about ${token} and more` });
    await createCourse(instructor, { title: 'Unrelated' });
    const percent = await createCourse(instructor, { title: `${token}% off` });
    await createCourse(instructor, { title: `${token}zz` });
    const underscore = await createCourse(instructor, { title: `${token}_x` });
    await createCourse(instructor, { title: `${token}ax` });
    const ids = async (query: Record<string, string>) =>
      (await listCourses({ limit: 100, ...query })).data.map((c) => c.courseId).sort();

    expect(await ids({ search: token })).toHaveLength(6);
    expect(await ids({ search: `learn ${token}` })).toEqual([inTitle.courseId]);
    expect(await ids({ search: `ALL ABOUT ${token.toUpperCase()}` })).toEqual([inDescription.courseId]);
    expect(await ids({ search: `${token}%` })).toEqual([percent.courseId]);
    expect(await ids({ search: `${token}_x` })).toEqual([underscore.courseId]);
    // combined with another filter
    expect(await ids({ search: token, instructorId: instructor.id, category: 'design' })).toEqual([]);
    expect(await ids({ search: `learn ${token}`, instructorId: instructor.id, category: 'programming' })).toEqual([
      inTitle.courseId,
    ]);
  });

  it('paginates with the spec pagination object', async () => {
    const instructor = await createInstructor();
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createCourse(instructor));
    const first = await listCourses({ instructorId: instructor.id, limit: 2 });
    expect(first.pagination).toEqual({ page: 1, limit: 2, totalCount: 3, totalPages: 2, hasNext: true, hasPrev: false });
    expect(first.data).toHaveLength(2);
    const second = await listCourses({ instructorId: instructor.id, limit: 2, page: 2 });
    expect(second.pagination).toEqual({ page: 2, limit: 2, totalCount: 3, totalPages: 2, hasNext: false, hasPrev: true });
    expect(second.data).toHaveLength(1);
    // newest first by default, no course on two pages
    expect([...first.data, ...second.data].map((c) => c.courseId)).toEqual(created.map((c) => c.courseId).reverse());
    const beyond = await listCourses({ instructorId: instructor.id, limit: 2, page: 3 });
    expect(beyond.data).toEqual([]);
    expect(beyond.pagination).toMatchObject({ page: 3, hasNext: false, hasPrev: true });
    const defaults = await listCourses({ instructorId: instructor.id });
    expect(defaults.pagination).toMatchObject({ page: 1, limit: 10 });
  });

  it('sorts by title, rating and popularity', async () => {
    const instructor = await createInstructor();
    const banana = await createCourse(instructor, { title: 'banana course' });
    const apple = await createCourse(instructor, { title: 'Apple course' });
    const cherry = await createCourse(instructor, { title: 'cherry course' });
    const order = async (sort: string) =>
      (await listCourses({ instructorId: instructor.id, sort })).data.map((c) => c.courseId);

    expect(await order('title')).toEqual([apple.courseId, banana.courseId, cherry.courseId]);
    expect(await order('newest')).toEqual([cherry.courseId, apple.courseId, banana.courseId]);

    await raterOf(banana.courseId, 5);
    await raterOf(cherry.courseId, 3);
    await enroll(await createStudent(), cherry.courseId);
    expect(await order('rating')).toEqual([banana.courseId, cherry.courseId, apple.courseId]);
    expect(await order('popular')).toEqual([cherry.courseId, banana.courseId, apple.courseId]);
  });

  it('answers 400 for a bad enum, page, limit or id', async () => {
    const cases: [Record<string, string | number>, string][] = [
      [{ category: 'cooking' }, 'querystring.category'],
      [{ difficulty: 'expert' }, 'querystring.difficulty'],
      [{ sort: 'random' }, 'querystring.sort'],
      [{ instructorId: 'abc' }, 'querystring.instructorId'],
      [{ page: 0 }, 'querystring.page'],
      [{ page: 'two' }, 'querystring.page'],
      [{ limit: 101 }, 'querystring.limit'],
      [{ limit: 0 }, 'querystring.limit'],
    ];
    for (const [query, field] of cases) {
      const res = await api('GET', '/api/courses', { query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details)).toEqual([field]);
    }
    expect((await api('GET', '/api/courses', { query: { limit: 100 } })).status).toBe(200);
  });
});

describe('GET /api/courses/:courseId', () => {
  it('answers the full CourseDetails shape to an anonymous caller', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor, { category: 'language', difficultyLevel: 'intermediate' });
    const second = await createLesson(instructor, course.courseId, { order: 2, title: 'Second', estimatedTime: 15 });
    const first = await createLesson(instructor, course.courseId, { order: 1, title: 'First', estimatedTime: 30 });
    const dueDate = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const inLesson = await createAssignment(instructor, course.courseId, {
      lessonId: second.lessonId,
      title: 'Essay',
      description: 'Write it',
      points: 50,
      dueDate,
    });
    const courseLevel = await createAssignment(instructor, course.courseId, { title: 'Project', points: 100 });

    const data = await details(course.courseId);
    expect(data).toEqual({
      courseId: course.courseId,
      title: course.title,
      description: 'A course made by a test',
      thumbnailUrl: 'https://example.com/thumb.png',
      category: 'language',
      difficultyLevel: 'intermediate',
      instructorId: instructor.id,
      instructor: instructorOf(instructor),
      createdAt: course.createdAt,
      updatedAt: anyIso,
      prerequisites: [],
      requiredBy: [],
      lessons: [
        {
          lessonId: first.lessonId,
          title: 'First',
          description: 'Lesson body',
          order: 1,
          estimatedTime: 30,
          createdAt: anyIso,
          updatedAt: anyIso,
          assignments: [],
        },
        {
          lessonId: second.lessonId,
          title: 'Second',
          description: 'Lesson body',
          order: 2,
          estimatedTime: 15,
          createdAt: anyIso,
          updatedAt: anyIso,
          assignments: [
            { assignmentId: inLesson.assignmentId, title: 'Essay', description: 'Write it', points: 50, dueDate, status: 'not_started' },
          ],
        },
      ],
      assignments: [
        {
          assignmentId: inLesson.assignmentId,
          lessonId: second.lessonId,
          title: 'Essay',
          description: 'Write it',
          points: 50,
          dueDate,
          createdAt: anyIso,
          status: 'not_started',
        },
        {
          assignmentId: courseLevel.assignmentId,
          title: 'Project',
          description: 'Do the thing',
          points: 100,
          dueDate: anyIso,
          createdAt: anyIso,
          status: 'not_started',
        },
      ],
      quizzes: [],
      ratings: [],
      statistics: { totalEnrollments: 0, averageRating: 0, totalLessons: 2, totalAssignments: 2, totalQuizzes: 0 },
    });
    expect(data).not.toHaveProperty('enrollment');
  });

  it("shows an enrolled caller their enrollment, progress and assignment status, and nobody else's", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    await createLesson(instructor, course.courseId);
    const assignment = await createAssignment(instructor, course.courseId, { lessonId: lesson.lessonId });
    const student = await createStudent();
    const enrollment = await enroll(student, course.courseId);

    const before = await details(course.courseId, student);
    expect(before.enrollment).toEqual({
      enrollmentId: enrollment.enrollmentId,
      enrolledAt: anyIso,
      progress: { totalLessons: 2, completedLessons: 0, completionPercentage: 0 },
    });

    const completed = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lesson.lessonId } });
    expect(completed.status, JSON.stringify(completed.body)).toBeLessThan(300);
    const submitted = await api('POST', '/api/assignments/submit', {
      token: student.token,
      body: { assignmentId: assignment.assignmentId, submissionContent: 'My answer' },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBeLessThan(300);

    const after = await details(course.courseId, student);
    // 2 of 3 items (2 lessons + 1 assignment) are done
    expect(after.enrollment.progress).toEqual({ totalLessons: 2, completedLessons: 1, completionPercentage: 66 });
    expect(after.assignments[0].status).toBe('submitted');
    expect(after.lessons[0].assignments[0]).toMatchObject({ assignmentId: assignment.assignmentId, status: 'submitted' });
    expect(after.statistics.totalEnrollments).toBe(1);

    // another student, the instructor and an anonymous caller see no enrollment and no status of hers
    for (const viewer of [await createStudent(), instructor, undefined]) {
      const seen = await details(course.courseId, viewer);
      expect(seen).not.toHaveProperty('enrollment');
      expect(seen.assignments[0].status).toBe('not_started');
      expect(seen.lessons[0].assignments[0].status).toBe('not_started');
    }
  });

  it('marks a prerequisite satisfied once the caller has completed it', async () => {
    const instructor = await createInstructor();
    const basics = await createCourse(instructor);
    const lesson = await createLesson(instructor, basics.courseId);
    const advanced = await createCourse(instructor, { prerequisiteIds: [basics.courseId] });
    const student = await createStudent();
    expect((await details(advanced.courseId, student)).prerequisites[0].satisfied).toBe(false);

    await enroll(student, basics.courseId);
    const completed = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lesson.lessonId } });
    expect(completed.status, JSON.stringify(completed.body)).toBeLessThan(300);

    expect((await details(advanced.courseId, student)).prerequisites[0]).toMatchObject({
      prerequisiteId: basics.courseId,
      satisfied: true,
    });
    expect((await details(advanced.courseId)).prerequisites[0].satisfied).toBe(false);
    expect((await details(advanced.courseId, await createStudent())).prerequisites[0].satisfied).toBe(false);
  });

  it('includes the newest ratings with the reviewer name only', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const first = await raterOf(course.courseId, 2, 'Too fast');
    const second = await raterOf(course.courseId, 5);
    const data = await details(course.courseId);
    expect(data.ratings).toEqual([
      { ratingId: anyId, rating: 5, student: { firstName: second.firstName, lastName: second.lastName }, createdAt: anyIso },
      {
        ratingId: anyId,
        rating: 2,
        review: 'Too fast',
        student: { firstName: first.firstName, lastName: first.lastName },
        createdAt: anyIso,
      },
    ]);
    expect(JSON.stringify(data.ratings)).not.toContain(first.id);
    expect(data.statistics).toMatchObject({ totalEnrollments: 2, averageRating: 3.5 });
  });

  it('answers 404 for an unknown id, 400 for a malformed one, 401 for a bad token', async () => {
    const unknown = await api('GET', `/api/courses/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'COURSE_NOT_FOUND' });
    const malformed = await api('GET', '/api/courses/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual({ 'params.courseId': 'must be a valid id' });
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const badToken = await api('GET', `/api/courses/${course.courseId}`, { token: 'not.a.jwt' });
    expect(badToken.status).toBe(401);
    expect(badToken.body.code).toBe('INVALID_TOKEN');
  });
});

describe('POST /api/courses/:courseId/ratings', () => {
  it('creates the rating (201), then updates the same row (200)', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    await enroll(student, course.courseId);

    const first = await rate(student, course.courseId, { rating: 4, review: '  Clear and useful  ' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      message: 'Rating submitted successfully',
      data: {
        ratingId: anyId,
        courseId: course.courseId,
        studentId: student.id,
        rating: 4,
        review: 'Clear and useful',
        createdAt: anyIso,
        updatedAt: anyIso,
      },
    });

    const second = await rate(student, course.courseId, { rating: 2 });
    expect(second.status).toBe(200);
    expect(second.body.message).toBe('Rating updated successfully');
    expect(second.body.data).toMatchObject({
      ratingId: first.body.data.ratingId,
      rating: 2,
      review: 'Clear and useful', // an omitted review keeps the current one
      createdAt: first.body.data.createdAt,
    });
    expect(new Date(second.body.data.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(first.body.data.updatedAt).getTime());

    const cleared = await rate(student, course.courseId, { rating: 3, review: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toMatchObject({ ratingId: first.body.data.ratingId, rating: 3, review: null });

    const list = await api('GET', `/api/courses/${course.courseId}/ratings`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toEqual({
      ratingId: first.body.data.ratingId,
      rating: 3,
      student: { firstName: student.firstName, lastName: student.lastName },
      createdAt: first.body.data.createdAt,
    });
  });

  it('keeps averageRating and totalRatings in step with new and updated ratings', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const first = await raterOf(course.courseId, 5);
    await raterOf(course.courseId, 4);
    await raterOf(course.courseId, 4);
    const average = async () => {
      const [item] = (await listCourses({ instructorId: instructor.id })).data;
      const stats = (await details(course.courseId)).statistics;
      expect(stats.averageRating).toBe(item.averageRating);
      return [item.averageRating, item.totalRatings];
    };
    expect(await average()).toEqual([4.3, 3]); // 13 / 3, one decimal
    expect((await rate(first, course.courseId, { rating: 1 })).status).toBe(200);
    expect(await average()).toEqual([3, 3]);
  });

  it('awards social_learner for the third written review', async () => {
    const instructor = await createInstructor();
    const student = await createStudent();
    for (let i = 0; i < 3; i++) {
      const course = await createCourse(instructor);
      await enroll(student, course.courseId);
      expect((await rate(student, course.courseId, { rating: 5, review: `Review ${i}` })).status).toBe(201);
    }
    const achievements = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(achievements.status).toBe(200);
    expect(JSON.stringify(achievements.body)).toContain('social_learner');
  });

  it('refuses callers who are not enrolled students', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const outsider = await createStudent();
    const notEnrolled = await rate(outsider, course.courseId, { rating: 5 });
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    const asInstructor = await rate(instructor, course.courseId, { rating: 5 });
    expect(asInstructor.status).toBe(403);
    expect(asInstructor.body.code).toBe('FORBIDDEN');
    const admin = await signInAdmin();
    expect((await rate(admin, course.courseId, { rating: 5 })).status).toBe(403);
    const anonymous = await api('POST', `/api/courses/${course.courseId}/ratings`, { body: { rating: 5 } });
    expect(anonymous.status).toBe(401);
    // nothing was recorded
    expect((await details(course.courseId)).statistics.averageRating).toBe(0);
    expect((await api('GET', `/api/courses/${course.courseId}/ratings`)).body.pagination.totalCount).toBe(0);
  });

  it('answers 404 for an unknown course and 400 for a malformed id', async () => {
    const student = await createStudent();
    const unknown = await rate(student, randomUUID(), { rating: 5 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');
    const malformed = await rate(student, 'nope', { rating: 5 });
    expect(malformed.status).toBe(400);
    expect(Object.keys(malformed.body.details)).toEqual(['params.courseId']);
  });

  it('validates the rating and the review', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    await enroll(student, course.courseId);
    for (const body of [{ rating: 0 }, { rating: 6 }, { rating: 3.5 }, { rating: '5' }, {}, { rating: 4, review: 'r'.repeat(2001) }]) {
      const res = await rate(student, course.courseId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details)).toEqual(['review' in body ? 'body.review' : 'body.rating']);
    }
    expect((await api('GET', `/api/courses/${course.courseId}/ratings`)).body.pagination.totalCount).toBe(0);
  });
});

describe('GET /api/courses/:courseId/ratings', () => {
  it('pages through the ratings, newest first', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const raters = [];
    for (const rating of [1, 2, 3]) raters.push(await raterOf(course.courseId, rating, `Review ${rating}`));

    const first = await api('GET', `/api/courses/${course.courseId}/ratings`, { query: { limit: 2 } });
    expect(first.status).toBe(200);
    expect(first.body.pagination).toEqual({ page: 1, limit: 2, totalCount: 3, totalPages: 2, hasNext: true, hasPrev: false });
    expect(first.body.data).toEqual([
      {
        ratingId: anyId,
        rating: 3,
        review: 'Review 3',
        student: { firstName: raters[2]!.firstName, lastName: raters[2]!.lastName },
        createdAt: anyIso,
      },
      {
        ratingId: anyId,
        rating: 2,
        review: 'Review 2',
        student: { firstName: raters[1]!.firstName, lastName: raters[1]!.lastName },
        createdAt: anyIso,
      },
    ]);
    const second = await api('GET', `/api/courses/${course.courseId}/ratings`, { query: { limit: 2, page: 2 } });
    expect(second.body.pagination).toEqual({ page: 2, limit: 2, totalCount: 3, totalPages: 2, hasNext: false, hasPrev: true });
    expect(second.body.data.map((r: any) => r.rating)).toEqual([1]);
  });

  it('answers 404 for an unknown course and 400 for bad ids or paging', async () => {
    const unknown = await api('GET', `/api/courses/${randomUUID()}/ratings`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');
    expect((await api('GET', '/api/courses/bad/ratings')).status).toBe(400);
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const tooMany = await api('GET', `/api/courses/${course.courseId}/ratings`, { query: { limit: 101 } });
    expect(tooMany.status).toBe(400);
    expect(Object.keys(tooMany.body.details)).toEqual(['querystring.limit']);
    const empty = await api('GET', `/api/courses/${course.courseId}/ratings`);
    expect(empty.body).toEqual({
      data: [],
      pagination: { page: 1, limit: 10, totalCount: 0, totalPages: 0, hasNext: false, hasPrev: false },
    });
  });
});

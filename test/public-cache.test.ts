// The public response cache (catalogue, anonymous course details): served from memory, and never
// stale after a change, whether made through this instance's API or straight in the database.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { api, createCourse, createInstructor, createLesson, createStudent, enroll, uniqueSuffix } from './support/api.js';

async function catalogueEntry(title: string) {
  const res = await api('GET', '/api/courses', { query: { search: title, limit: 5 } });
  expect(res.status).toBe(200);
  return { res, course: (res.body.data as any[]).find((c) => c.title === title) };
}

describe('public response cache', () => {
  it('answers the catalogue and course details again with the same bytes and ETag, and 304 on If-None-Match', async () => {
    const instructor = await createInstructor();
    const title = `Cached ${uniqueSuffix()}`;
    const course = await createCourse(instructor, { title });
    for (const path of ['/api/courses?search=' + encodeURIComponent(title), `/api/courses/${course.courseId}`]) {
      const first = await api('GET', path);
      const second = await api('GET', path);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(first.headers.get('content-type')).toMatch(/^application\/json/);
      const notModified = await api('GET', path, { headers: { 'if-none-match': first.headers.get('etag')! } });
      expect(notModified.status).toBe(304);
    }
  });

  it('shows an enrolment, a rating and a course edit at once in the catalogue it had cached', async () => {
    const instructor = await createInstructor();
    const title = `Counts ${uniqueSuffix()}`;
    const course = await createCourse(instructor, { title });
    expect((await catalogueEntry(title)).course).toMatchObject({ totalEnrollments: 0, totalRatings: 0, averageRating: 0 });

    const student = await createStudent();
    await enroll(student, course.courseId);
    expect((await catalogueEntry(title)).course).toMatchObject({ totalEnrollments: 1 });

    const rated = await api('POST', `/api/courses/${course.courseId}/ratings`, { token: student.token, body: { rating: 4 } });
    expect(rated.status).toBe(201);
    expect((await catalogueEntry(title)).course).toMatchObject({ totalRatings: 1, averageRating: 4 });

    const edited = await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { description: 'Now with exercises' } });
    expect(edited.status).toBe(200);
    expect((await catalogueEntry(title)).course).toMatchObject({ description: 'Now with exercises' });
  });

  it('shows a new lesson and a renamed instructor at once on the anonymous course page it had cached', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const before = await api('GET', `/api/courses/${course.courseId}`);
    expect(before.body.data.lessons).toHaveLength(0);

    await createLesson(instructor, course.courseId, { title: 'Lesson one' });
    const after = await api('GET', `/api/courses/${course.courseId}`);
    expect(after.body.data.lessons.map((l: { title: string }) => l.title)).toEqual(['Lesson one']);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));

    const renamed = await api('PUT', '/api/profile/update', { token: instructor.token, body: { firstName: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect((await api('GET', `/api/courses/${course.courseId}`)).body.data.instructor.firstName).toBe('Renamed');
  });

  it('keeps the signed-in view personal: a student sees their own enrolment, the anonymous page does not', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    await enroll(student, course.courseId);
    expect((await api('GET', `/api/courses/${course.courseId}`)).body.data.enrollment).toBeUndefined();
    expect((await api('GET', `/api/courses/${course.courseId}`, { token: student.token })).body.data.enrollment).toBeDefined();
    expect((await api('GET', `/api/courses/${course.courseId}`)).body.data.enrollment).toBeUndefined();
  });

  it('recommends a course created after the course list behind recommendations was cached', async () => {
    const instructor = await createInstructor();
    const first = await createCourse(instructor, { category: 'music', title: `Scales ${uniqueSuffix()}` });
    const lesson = await createLesson(instructor, first.courseId);
    const student = await createStudent();
    await enroll(student, first.courseId);
    expect((await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lesson.lessonId } })).status).toBe(201);
    const recommend = async () => {
      const res = await api('GET', '/api/recommendations', { token: student.token, query: { limit: 20 } });
      expect(res.status).toBe(200);
      return res.body.data as { courseId: string; reasonType: string }[];
    };
    await recommend();

    const next = await createCourse(instructor, { category: 'music', difficultyLevel: 'intermediate', prerequisiteIds: [first.courseId] });
    expect((await recommend()).find((item) => item.courseId === next.courseId)).toMatchObject({ reasonType: 'next_in_path' });
  });

  // Another instance's change (or a script's) reaches this one through the database's notification.
  it.runIf(Boolean(process.env.DATABASE_URL))('drops what it cached when the database changes behind its back', async () => {
    const instructor = await createInstructor();
    const title = `Outside ${uniqueSuffix()}`;
    const course = await createCourse(instructor, { title });
    expect((await api('GET', `/api/courses/${course.courseId}`)).body.data.title).toBe(title);
    expect((await catalogueEntry(title)).course).toBeDefined();

    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query('update courses set title = $1 where id = $2', [`${title} (renamed)`, course.courseId]);
    } finally {
      await client.end();
    }
    await expect
      .poll(async () => (await api('GET', `/api/courses/${course.courseId}`)).body.data.title, { timeout: 5_000, interval: 50 })
      .toBe(`${title} (renamed)`);
    await expect.poll(async () => (await catalogueEntry(`${title} (renamed)`)).course?.title, { timeout: 5_000, interval: 50 }).toBe(`${title} (renamed)`);
  });
});

import { describe, expect, it } from 'vitest';
import { api, createCourse, createInstructor, createLesson, createStudent, enroll } from './support/api.js';

interface Recommendation {
  courseId: string;
  title: string;
  reason: string;
  reasonType: string;
  score: number;
}

const recommend = async (token: string, limit = 20) => {
  const res = await api<{ data: Recommendation[] }>('GET', '/api/recommendations', { token, query: { limit } });
  expect(res.status).toBe(200);
  return res.body.data;
};

describe('GET /api/recommendations', () => {
  it('gives a brand-new learner catalogue courses, best first, each with a reason', async () => {
    const instructor = await createInstructor();
    await createCourse(instructor);
    const student = await createStudent();
    const data = await recommend(student.token, 5);
    expect(data.length).toBeGreaterThan(0);
    expect(data.length).toBeLessThanOrEqual(5);
    for (const item of data) {
      expect(item).toMatchObject({
        courseId: expect.any(String),
        title: expect.any(String),
        category: expect.any(String),
        difficultyLevel: expect.any(String),
        instructor: expect.objectContaining({ id: expect.any(String), username: expect.any(String) }),
        averageRating: expect.any(Number),
        totalEnrollments: expect.any(Number),
        reason: expect.any(String),
      });
      expect(item.reason.length).toBeGreaterThan(5);
      expect(['level_progression', 'highly_rated', 'popular']).toContain(item.reasonType);
    }
    const scores = data.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('leaves out courses the learner is enrolled in, teaches, or cannot enrol in yet', async () => {
    const instructor = await createInstructor();
    const first = await createCourse(instructor, { category: 'art', title: `Drawing basics ${Date.now()}` });
    await createLesson(instructor, first.courseId);
    const next = await createCourse(instructor, { category: 'art', difficultyLevel: 'intermediate', prerequisiteIds: [first.courseId] });
    const student = await createStudent();
    await enroll(student, first.courseId);

    const before = (await recommend(student.token)).map((item) => item.courseId);
    expect(before).not.toContain(first.courseId);
    expect(before).not.toContain(next.courseId); // its prerequisite is not completed yet

    const taught = (await recommend(instructor.token)).map((item) => item.courseId);
    expect(taught).not.toContain(first.courseId);
    expect(taught).not.toContain(next.courseId);
  });

  it('recommends the next course of a path once its prerequisite is completed, saying why', async () => {
    const instructor = await createInstructor();
    const first = await createCourse(instructor, { category: 'art', title: `Colour theory ${Date.now()}` });
    const lesson = await createLesson(instructor, first.courseId);
    const next = await createCourse(instructor, { category: 'art', difficultyLevel: 'intermediate', prerequisiteIds: [first.courseId] });
    const student = await createStudent();
    await enroll(student, first.courseId);
    const done = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lesson.lessonId } });
    expect(done.status).toBe(201);

    const data = await recommend(student.token);
    const item = data.find((entry) => entry.courseId === next.courseId);
    expect(item).toBeDefined();
    expect(item).toMatchObject({ reasonType: 'next_in_path' });
    expect(item!.reason).toContain(first.title);
    expect(data[0]!.courseId).toBe(next.courseId);
  });

  it('recommends what learners sharing a course also took', async () => {
    const instructor = await createInstructor();
    const shared = await createCourse(instructor, { category: 'language' });
    const alsoTaken = await createCourse(instructor, { category: 'language' });
    for (let i = 0; i < 3; i++) {
      const peer = await createStudent();
      await enroll(peer, shared.courseId);
      await enroll(peer, alsoTaken.courseId);
    }
    const student = await createStudent();
    await enroll(student, shared.courseId);
    const data = await recommend(student.token);
    expect(data[0]).toMatchObject({ courseId: alsoTaken.courseId, reasonType: 'similar_learners' });
    expect(data[0]!.reason).toBe('Taken by 3 learners who share your courses');
  });

  it('does not count a course that only one learner sharing a course took as "similar learners"', async () => {
    const instructor = await createInstructor();
    const shared = await createCourse(instructor, { category: 'language' });
    const takenByTwo = await createCourse(instructor, { category: 'language' });
    const takenByOne = await createCourse(instructor, { category: 'language' });
    // The same course in all but that: one enrolment, by a learner who shares nothing with the student.
    const control = await createCourse(instructor, { category: 'language' });
    await enroll(await createStudent(), control.courseId);
    for (let i = 0; i < 2; i++) {
      const peer = await createStudent();
      await enroll(peer, shared.courseId);
      await enroll(peer, takenByTwo.courseId);
      if (i === 0) await enroll(peer, takenByOne.courseId);
    }
    const student = await createStudent();
    await enroll(student, shared.courseId);
    const data = await recommend(student.token);
    expect(data[0]).toMatchObject({ courseId: takenByTwo.courseId, reasonType: 'similar_learners' });
    expect(data[0]!.reason).toBe('Taken by 2 learners who share your courses');
    const lone = data.find((entry) => entry.courseId === takenByOne.courseId);
    const same = data.find((entry) => entry.courseId === control.courseId);
    expect(lone).toBeDefined();
    expect(lone!.reasonType).not.toBe('similar_learners');
    expect(lone!.score).toBe(same!.score);
  });

  it("reads at most 20 of a learner's courses, the first by id, when counting similar learners", async () => {
    const instructor = await createInstructor();
    const shared = await createCourse(instructor, { category: 'language' });
    const others: string[] = [];
    for (let i = 0; i < 24; i++) others.push((await createCourse(instructor, { category: 'language' })).courseId);
    // The four courses with the largest ids are outside the first 20 of the 25 courses of the first peer.
    const lastFour = [...others].sort().slice(-4);
    const busy = await createStudent();
    for (const courseId of [shared.courseId, ...others]) await enroll(busy, courseId);
    const focused = await createStudent();
    for (const courseId of [shared.courseId, ...lastFour]) await enroll(focused, courseId);
    const student = await createStudent();
    await enroll(student, shared.courseId);

    const data = await recommend(student.token);
    // Counting every course of both peers, these four would be the only courses two of them took.
    expect(data.filter((entry) => entry.reasonType === 'similar_learners')).toEqual([]);
    for (const courseId of lastFour) {
      const item = data.find((entry) => entry.courseId === courseId);
      if (item) expect(item.reason).not.toContain('share your courses');
    }
    // The busy peer's first courses by id do count: a third learner taking one of them with the busy one.
    const firstOther = [...others].sort()[0]!;
    await enroll(focused, firstOther);
    const after = await recommend(student.token);
    expect(after[0]).toMatchObject({ courseId: firstOther, reasonType: 'similar_learners', reason: 'Taken by 2 learners who share your courses' });
  });

  it('bounds the limit and needs a signed-in caller', async () => {
    const student = await createStudent();
    expect((await recommend(student.token, 1)).length).toBe(1);
    const defaults = await api('GET', '/api/recommendations', { token: student.token });
    expect(defaults.status).toBe(200);
    expect(defaults.body.data.length).toBeLessThanOrEqual(5);
    for (const limit of [0, 21, 'many']) {
      const res = await api('GET', '/api/recommendations', { token: student.token, query: { limit } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    const anonymous = await api('GET', '/api/recommendations');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBeTruthy();
  });
});

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
    expect(data[0]!.reason).toBe(`Taken by 3 learners who also took "${shared.title}"`);
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
    expect(data[0]!.reason).toBe(`Taken by 2 learners who also took "${shared.title}"`);
    const lone = data.find((entry) => entry.courseId === takenByOne.courseId);
    const same = data.find((entry) => entry.courseId === control.courseId);
    expect(lone).toBeDefined();
    expect(lone!.reasonType).not.toBe('similar_learners');
    expect(lone!.score).toBe(same!.score);

    // One of the two leaves the shared course: one learner left is no signal any more.
    const leaver = await createStudent();
    await enroll(leaver, shared.courseId);
    await enroll(leaver, takenByOne.courseId);
    expect((await recommend(student.token)).find((entry) => entry.courseId === takenByOne.courseId)!.reasonType).toBe('similar_learners');
    const left = await api('DELETE', `/api/courses/${shared.courseId}/enroll`, { token: leaver.token });
    expect(left.status).toBe(200);
    const after = await recommend(student.token);
    expect(after.find((entry) => entry.courseId === takenByOne.courseId)!.reasonType).not.toBe('similar_learners');
  });

  it("counts what learners of the learner's 20 most recent courses took, naming the course sharing the most", async () => {
    const instructor = await createInstructor();
    const oldest = await createCourse(instructor, { category: 'language' });
    const target = await createCourse(instructor, { category: 'language' });
    for (let i = 0; i < 2; i++) {
      const peer = await createStudent();
      await enroll(peer, oldest.courseId);
      await enroll(peer, target.courseId);
    }
    const student = await createStudent();
    await enroll(student, oldest.courseId);
    const recent: string[] = [];
    for (let i = 0; i < 20; i++) {
      recent.push((await createCourse(instructor, { category: 'language' })).courseId);
      await enroll(student, recent[i]!);
    }
    // The oldest course is the 21st most recent: what its learners took does not count.
    const before = await recommend(student.token);
    expect(before.filter((entry) => entry.reasonType === 'similar_learners')).toEqual([]);

    // Leaving one of the recent courses brings it back among the 20.
    const left = await api('DELETE', `/api/courses/${recent[0]}/enroll`, { token: student.token });
    expect(left.status).toBe(200);
    const after = await recommend(student.token);
    expect(after[0]).toMatchObject({ courseId: target.courseId, reasonType: 'similar_learners', reason: `Taken by 2 learners who also took "${oldest.title}"` });
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

import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  signInAdmin,
  type TestUser,
  uniqueSuffix,
} from './support/api.js';

/** A made-up word no other test uses: letters only, so that it is one plain token. */
const uniqueWord = (): string => `qz${uniqueSuffix().replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!)}`;

const search = (user: TestUser | undefined, query: Record<string, string | number | undefined>) =>
  api('GET', '/api/search', { token: user?.token, query });

const RESULT_KEYS = ['category', 'courseId', 'courseTitle', 'difficultyLevel', 'highlights', 'id', 'lessonId', 'rank', 'title', 'type'];

describe('GET /api/search', () => {
  let word: string;
  let student: TestUser;
  let titleCourse: { courseId: string; title: string };
  let descriptionCourse: { courseId: string; title: string };
  let titleLesson: { lessonId: string };
  let descriptionLesson: { lessonId: string };

  beforeAll(async () => {
    word = uniqueWord();
    const instructor = await createInstructor();
    student = await createStudent();
    titleCourse = await createCourse(instructor, {
      title: `Learn ${word} <b>fast</b> & "well"`,
      description: 'Everything about the topic, from the start.',
      category: 'design',
      difficultyLevel: 'intermediate',
    });
    descriptionCourse = await createCourse(instructor, {
      title: `Foundations ${uniqueSuffix()}`,
      description: `A long course. Somewhere in the middle we also talk about ${word} and the <script>alert(1)</script> tag.`,
    });
    titleLesson = await createLesson(instructor, descriptionCourse.courseId, { title: `${word} in practice`, description: 'Hands on.' });
    descriptionLesson = await createLesson(instructor, descriptionCourse.courseId, {
      title: 'Wrapping up',
      description: `Where ${word} fits in.`,
    });
  });

  it('finds courses and lessons, a title match ranked above a description match, with highlighted, escaped snippets', async () => {
    const res = await search(student, { q: word });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 4, totalPages: 1, hasNext: false, hasPrev: false });
    const ranks = res.body.data.map((r: any) => r.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    const byId = new Map(res.body.data.map((r: any) => [r.id, r]));
    const course = byId.get(titleCourse.courseId) as any;
    const described = byId.get(descriptionCourse.courseId) as any;
    const lesson = byId.get(titleLesson.lessonId) as any;
    const lessonDescribed = byId.get(descriptionLesson.lessonId) as any;
    expect(course.rank).toBeGreaterThan(described.rank);
    expect(lesson.rank).toBeGreaterThan(lessonDescribed.rank);
    expect(res.body.data.slice(0, 2).map((r: any) => r.id).sort()).toEqual([titleCourse.courseId, titleLesson.lessonId].sort());

    expect(Object.keys(course).sort()).toEqual(RESULT_KEYS);
    expect(course).toMatchObject({
      type: 'course',
      id: titleCourse.courseId,
      courseId: titleCourse.courseId,
      lessonId: null,
      title: titleCourse.title,
      courseTitle: titleCourse.title,
      category: 'design',
      difficultyLevel: 'intermediate',
    });
    // the whole title, the match marked, everything else HTML-escaped
    expect(course.highlights.title).toBe(`Learn <mark>${word}</mark> &lt;b&gt;fast&lt;/b&gt; &amp; &quot;well&quot;`);
    expect(described.highlights.title).not.toContain('<mark>');
    expect(described.highlights.description).toContain(`<mark>${word}</mark>`);
    expect(described.highlights.description).not.toContain('<script>');
    expect(lesson).toMatchObject({
      type: 'lesson',
      id: titleLesson.lessonId,
      lessonId: titleLesson.lessonId,
      courseId: descriptionCourse.courseId,
      courseTitle: descriptionCourse.title,
      title: `${word} in practice`,
    });
    expect(lesson.highlights.title).toBe(`<mark>${word}</mark> in practice`);
    expect(lessonDescribed.highlights.description).toBe(`Where <mark>${word}</mark> fits in.`);
    // a long description is cut to fragments around the matches
    const other = uniqueWord();
    const long = await createCourse(await createInstructor(), {
      description: `${'Filler words without meaning. '.repeat(20)}Then ${other} appears. ${'More filler after it. '.repeat(20)}`,
    });
    const [fragment] = (await search(student, { q: other })).body.data;
    expect(fragment.id).toBe(long.courseId);
    expect(fragment.highlights.description).toContain(`<mark>${other}</mark>`);
    expect(fragment.highlights.description.length).toBeLessThan(400);
    // every <mark> is ours: none survives from the text itself
    for (const row of res.body.data) {
      const text = `${row.highlights.title} ${row.highlights.description}`;
      expect(text.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    }
  });

  it('filters by type, pages, and understands stems, phrases and exclusions', async () => {
    const courses = await search(student, { q: word, type: 'course' });
    expect(courses.body.data.map((r: any) => r.id)).toEqual([titleCourse.courseId, descriptionCourse.courseId]);
    const lessons = await search(student, { q: word, type: 'lesson' });
    expect(lessons.body.data.map((r: any) => r.id)).toEqual([titleLesson.lessonId, descriptionLesson.lessonId]);

    const first = await search(student, { q: word, limit: 1 });
    expect(first.body.data).toHaveLength(1);
    expect(first.body.pagination).toMatchObject({ totalCount: 4, totalPages: 4, hasNext: true });
    const beyond = await search(student, { q: word, page: 9 });
    expect(beyond.body.data).toEqual([]);
    expect(beyond.body.pagination).toMatchObject({ page: 9, totalCount: 4, hasNext: false, hasPrev: true });

    // English stemming: "practices" finds "practice"; `-word` excludes
    const stemmed = await search(student, { q: `${word} practices`, type: 'lesson' });
    expect(stemmed.body.data.map((r: any) => r.id)).toEqual([titleLesson.lessonId]);
    const excluded = await search(student, { q: `${word} -practice` });
    expect(excluded.body.data.map((r: any) => r.id)).not.toContain(titleLesson.lessonId);
    expect(excluded.body.pagination.totalCount).toBe(3);
    const phrase = await search(student, { q: `"${word} fits"` });
    expect(phrase.body.data.map((r: any) => r.id)).toEqual([descriptionLesson.lessonId]);
  });

  it('never searches a lesson’s content, only its title and description', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId, { title: 'Plain title', description: 'Plain description' });
    const secret = uniqueWord();
    const saved = await api('POST', `/api/lessons/${lesson.lessonId}/content`, {
      token: instructor.token,
      body: { body: `# Notes\n\nThe answer is ${secret}.` },
    });
    expect(saved.status).toBe(201);
    const res = await search(student, { q: secret });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
  });

  it('is open to every signed-in role, and 401 without a token', async () => {
    for (const user of [await createInstructor(), await signInAdmin()]) {
      const res = await search(user, { q: word });
      expect(res.status, user.role).toBe(200);
      expect(res.body.pagination.totalCount).toBe(4);
    }
    const anonymous = await search(undefined, { q: word });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an empty or too long query and a bad type with 400; odd input is just text', async () => {
    for (const query of [{}, { q: '' }, { q: '   ' }]) {
      const res = await search(student, query);
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual({ 'querystring.q': 'is required' });
    }
    const long = await search(student, { q: 'x'.repeat(201) });
    expect(long.body.details).toEqual({ 'querystring.q': 'must be at most 200 characters' });
    const type = await search(student, { q: word, type: 'user', limit: 1000 });
    expect(type.status).toBe(400);
    expect(Object.keys(type.body.details).sort()).toEqual(['querystring.limit', 'querystring.type']);
    for (const q of ["'); drop table courses; --", 'the', '!!! & | :*', '"unclosed']) {
      const res = await search(student, { q });
      expect(res.status, q).toBe(200);
      expect(Array.isArray(res.body.data)).toBe(true);
    }
  });
});

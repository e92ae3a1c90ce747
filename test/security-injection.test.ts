// SQL-injection and script payloads in every free-text field are stored and returned as the literal
// text; HTML rendered from user text (lesson Markdown, announcements) is sanitised or escaped; searches
// with such text answer normally; characters PostgreSQL cannot store are refused with 400, never a 500.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, courseWithStudent, createLesson, signInAdmin, type TestUser } from './support/api.js';

const PAYLOADS = [
  `'; DROP TABLE users; --`,
  `' OR '1'='1' --`,
  `1); DELETE FROM courses WHERE (1=1`,
  `"; SELECT pg_sleep(10); --`,
  `<script>alert("xss")</script>`,
  `<img src=x onerror="alert(1)">`,
  `<a href="javascript:alert(1)">click</a>`,
  `{{constructor.constructor('alert(1)')()}} \${7*7} %27%20OR%201%3D1`,
  `Ω≈ç√ 😀 \u202e reversed \\ back\\slash 'quoted' "double"`,
];

let setup: Awaited<ReturnType<typeof courseWithStudent>>;
let admin: TestUser;

beforeAll(async () => {
  [setup, admin] = await Promise.all([courseWithStudent({ lessons: 1, assignments: 1 }), signInAdmin()]);
});

/** What an HTML context must never contain once user text is rendered into it. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img[^>]*onerror/i);
  expect(html).not.toMatch(/<a\b[^>]*href\s*=\s*["']?\s*javascript:/i);
  expect(html).not.toMatch(/<[a-z]+\b[^>]*\son[a-z]+\s*=/i);
}

describe('free text is stored and returned literally', () => {
  it.each(PAYLOADS)('course title and description, lesson title and description: %s', async (payload) => {
    const { instructor, course } = setup;
    const updated = await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: payload, description: payload } });
    expect(updated.status).toBe(200);
    const read = await api('GET', `/api/courses/${course.courseId}`);
    expect(read.body.data).toMatchObject({ title: payload.trim(), description: payload.trim() });
    const lesson = await createLesson(instructor, course.courseId, { title: payload, description: payload });
    const lessonRead = await api('GET', `/api/courses/${course.courseId}/lessons/${lesson.lessonId}`);
    expect(lessonRead.body.data).toMatchObject({ title: payload.trim(), description: payload.trim() });
    // the catalogue still lists courses: nothing was dropped or deleted
    expect((await api('GET', '/api/courses', { query: { search: payload.slice(0, 50) } })).status).toBe(200);
    expect((await api('GET', '/api/search', { token: setup.student.token, query: { q: payload.slice(0, 200) } })).status).toBe(200);
  });

  it.each(PAYLOADS)('reviews, profile names, submissions, messages and announcements: %s', async (payload) => {
    const { student, instructor, course, assignments } = setup;
    const rated = await api('POST', `/api/courses/${course.courseId}/ratings`, { token: student.token, body: { rating: 4, review: payload } });
    expect([200, 201]).toContain(rated.status);
    expect(rated.body.data.review).toBe(payload.trim());
    const ratings = await api('GET', `/api/courses/${course.courseId}/ratings`);
    expect(ratings.body.data.find((r: { ratingId: string }) => r.ratingId === rated.body.data.ratingId).review).toBe(payload.trim());

    const renamed = await api('PUT', '/api/profile/update', { token: student.token, body: { firstName: payload.slice(0, 100), lastName: payload.slice(0, 100) } });
    expect(renamed.status).toBe(200);
    const profile = await api('GET', `/api/users/${student.id}/profile`, { token: admin.token });
    expect(profile.body.firstName).toBe(payload.slice(0, 100).trim());

    const submitted = await api('POST', '/api/assignments/submit', {
      token: student.token,
      body: { assignmentId: assignments[0]!.assignmentId, submissionContent: payload },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body.data.submissionContent).toBe(payload);

    const sent = await api('POST', '/api/messages', { token: instructor.token, body: { recipientId: student.id, body: payload } });
    expect(sent.status).toBe(201);
    const inbox = await api('GET', '/api/messages', { token: student.token, query: { withUserId: instructor.id, limit: 1 } });
    expect(inbox.body.data[0].body).toBe(payload.trim());

    const announced = await api('POST', '/api/announcements', {
      token: instructor.token,
      body: { courseId: course.courseId, title: payload, body: payload },
    });
    expect(announced.status).toBe(201);
    expect(announced.body.data).toMatchObject({ title: payload.trim(), body: payload.trim() });
    expectInert(announced.body.data.bodyHtml);
  });
});

describe('rendered HTML', () => {
  it('lesson Markdown keeps the text but drops scripts, handlers and javascript: links', async () => {
    const lesson = await createLesson(setup.instructor, setup.course.courseId);
    const markdown = [
      '# Title <script>alert(1)</script>',
      '<img src=x onerror="alert(1)">',
      '[click](javascript:alert(1))',
      '<a href="javascript:alert(2)">raw link</a>',
      '<iframe src="https://evil.example"></iframe><svg onload="alert(3)"></svg>',
      "Text with 'quotes' and `'; DROP TABLE lessons; --`",
    ].join('\n\n');
    const saved = await api('POST', `/api/lessons/${lesson.lessonId}/content`, { token: setup.instructor.token, body: { body: markdown } });
    expect(saved.status).toBe(201);
    const read = await api('GET', `/api/lessons/${lesson.lessonId}/content`, { token: setup.student.token });
    expect(read.status).toBe(200);
    expect(read.body.data.markdown).toBe(markdown);
    const html: string = read.body.data.html;
    expectInert(html);
    expect(html).not.toMatch(/<iframe|<svg|onload/i);
    expect(html).toContain('DROP TABLE lessons');
    expect(html).toContain('raw link');
  });
});

describe('characters PostgreSQL cannot store', () => {
  it('are refused with 400, not a 500, and nothing is written', async () => {
    const { instructor, course } = setup;
    const before = await api('GET', `/api/courses/${course.courseId}`);
    const res = await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: 'nul \u0000 byte' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    const after = await api('GET', `/api/courses/${course.courseId}`);
    expect(after.body.data.title).toBe(before.body.data.title);
    const search = await api('GET', '/api/search', { token: setup.student.token, query: { q: 'nul \u0000' } });
    expect(search.status).toBe(400);
  });
});

// Lesson content: Markdown bodies stored as numbered versions, read back (any version) by the lesson's
// readers, rendered to HTML that is sanitised on output.
import { describe, expect, it } from 'vitest';
import { api, createLesson, type TestUser } from './support/api.js';
import { lessonWithPeople } from './support/files.js';

const MAX_BYTES = 200 * 1024;

const save = (lessonId: string, user: TestUser | undefined, body: unknown) =>
  api('POST', `/api/lessons/${lessonId}/content`, { token: user?.token, body });
const read = (lessonId: string, user: TestUser | undefined, query: Record<string, string | number> = {}) =>
  api('GET', `/api/lessons/${lessonId}/content`, { token: user?.token, query });

const isoDate = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);

describe('POST /api/lessons/:lessonId/content', () => {
  it('stores a new version each time (1, 2, 3) and answers 201 with the whole content', async () => {
    const { instructor, lesson, admin } = await lessonWithPeople();
    const first = await save(lesson.lessonId, instructor, { body: '# Intro\n\nFirst draft.' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      message: 'Lesson content saved',
      data: {
        lessonId: lesson.lessonId,
        version: 1,
        markdown: '# Intro\n\nFirst draft.',
        html: '<h1>Intro</h1>\n<p>First draft.</p>\n',
        createdAt: isoDate,
        createdBy: instructor.id,
        totalVersions: 1,
        versions: [{ version: 1, createdAt: isoDate, changeNote: null }],
      },
    });
    const second = await save(lesson.lessonId, instructor, { body: '# Intro\n\nSecond draft.', changeNote: '  Reworded  ' });
    expect(second.status).toBe(201);
    expect(second.body.data).toMatchObject({ version: 2, totalVersions: 2 });
    expect(second.body.data.versions.map((v: { version: number; changeNote: string | null }) => [v.version, v.changeNote])).toEqual([
      [2, 'Reworded'],
      [1, null],
    ]);
    // an admin may write any lesson, and is named as the author
    const third = await save(lesson.lessonId, admin, { body: 'Third *draft*.' });
    expect(third.status).toBe(201);
    expect(third.body.data).toMatchObject({ version: 3, createdBy: admin.id, html: '<p>Third <em>draft</em>.</p>\n' });

    // versions are per lesson: another lesson starts at 1
    const other = await createLesson(instructor, lesson.courseId);
    expect((await save(other.lessonId, instructor, { body: 'Other' })).body.data.version).toBe(1);
  });

  it('numbers concurrent saves without gaps or duplicates', async () => {
    const { instructor, lesson } = await lessonWithPeople();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => save(lesson.lessonId, instructor, { body: `Draft ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(results.map((r) => r.body.data.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const latest = await read(lesson.lessonId, instructor);
    expect(latest.body.data.version).toBe(6);
    expect(latest.body.data.versions.map((v: { version: number }) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('validates the body: required, at most 200 KB counted in bytes, changeNote at most 500 characters', async () => {
    const { instructor, lesson } = await lessonWithPeople();
    const missing = await save(lesson.lessonId, instructor, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'VALIDATION_ERROR', details: { 'body.body': 'is required' } });
    const blank = await save(lesson.lessonId, instructor, { body: '  \n ' });
    expect(blank.body.details).toEqual({ 'body.body': 'is required' });
    // 102,401 two-byte characters: few characters, too many bytes
    const tooLarge = await save(lesson.lessonId, instructor, { body: 'é'.repeat(MAX_BYTES / 2 + 1) });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.details).toEqual({ 'body.body': `must be at most ${MAX_BYTES} bytes` });
    const note = await save(lesson.lessonId, instructor, { body: 'ok', changeNote: 'n'.repeat(501) });
    expect(note.body.details).toEqual({ 'body.changeNote': 'must be at most 500 characters' });
    const wrongType = await save(lesson.lessonId, instructor, { body: 42 });
    expect(Object.keys(wrongType.body.details)).toEqual(['body.body']);
    const badId = await save('not-a-uuid', instructor, { body: 'x' });
    expect(badId.body.details).toEqual({ 'params.lessonId': 'must be a valid id' });
    // nothing was stored
    expect((await read(lesson.lessonId, instructor)).body.code).toBe('CONTENT_NOT_FOUND');

    // exactly the limit is accepted, and comes back byte for byte
    const atLimit = 'é'.repeat(MAX_BYTES / 2);
    const ok = await save(lesson.lessonId, instructor, { body: atLimit });
    expect(ok.status).toBe(201);
    expect((await read(lesson.lessonId, instructor)).body.data.markdown).toBe(atLimit);
  });

  it('is refused without a token (401), to students even enrolled and to other instructors (403), and for an unknown lesson (404)', async () => {
    const { instructor, lesson, student, otherInstructor } = await lessonWithPeople();
    const body = { body: 'Not yours' };
    expect((await save(lesson.lessonId, undefined, body)).status).toBe(401);
    const asStudent = await save(lesson.lessonId, student, body);
    expect(asStudent.status).toBe(403);
    expect(asStudent.body.code).toBe('FORBIDDEN');
    const asOther = await save(lesson.lessonId, otherInstructor, body);
    expect(asOther.status).toBe(403);
    expect(asOther.body.code).toBe('FORBIDDEN');
    const unknown = await save('00000000-0000-4000-8000-000000000000', instructor, body);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LESSON_NOT_FOUND');
    // none of them wrote anything
    expect((await read(lesson.lessonId, instructor)).status).toBe(404);
  });

  it('writes lesson_content.create to the audit log', async () => {
    const { instructor, lesson, admin } = await lessonWithPeople();
    await save(lesson.lessonId, instructor, { body: 'v1' });
    await save(lesson.lessonId, instructor, { body: 'v2', changeNote: 'second' });
    const audit = await api('GET', '/api/admin/audit-log', {
      token: admin.token,
      query: { action: 'lesson_content.create', targetId: lesson.lessonId },
    });
    expect(audit.status).toBe(200);
    expect(audit.body.data).toHaveLength(2);
    expect(audit.body.data[0]).toMatchObject({
      action: 'lesson_content.create',
      targetType: 'lesson',
      targetId: lesson.lessonId,
      actor: { id: instructor.id },
      before: { version: 1 },
      after: { version: 2, changeNote: 'second', bytes: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(audit.body.data[1]).toMatchObject({ before: null, after: { version: 1, changeNote: null } });
  });
});

describe('GET /api/lessons/:lessonId/content', () => {
  it('reads the latest version or any earlier one back, with the version history', async () => {
    const { instructor, lesson, student, admin } = await lessonWithPeople();
    await save(lesson.lessonId, instructor, { body: 'Version **one**', changeNote: 'first' });
    await save(lesson.lessonId, instructor, { body: 'Version **two**' });

    for (const reader of [student, instructor, admin]) {
      const latest = await read(lesson.lessonId, reader);
      expect(latest.status).toBe(200);
      expect(latest.body.data).toEqual({
        lessonId: lesson.lessonId,
        version: 2,
        markdown: 'Version **two**',
        html: '<p>Version <strong>two</strong></p>\n',
        createdAt: isoDate,
        createdBy: instructor.id,
        totalVersions: 2,
        versions: [
          { version: 2, createdAt: isoDate, changeNote: null },
          { version: 1, createdAt: isoDate, changeNote: 'first' },
        ],
      });
    }
    const first = await read(lesson.lessonId, student, { version: 1 });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ version: 1, markdown: 'Version **one**', html: '<p>Version <strong>one</strong></p>\n', totalVersions: 2 });

    const missing = await read(lesson.lessonId, student, { version: 3 });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'CONTENT_NOT_FOUND', error: 'This lesson has no version 3' });
    for (const bad of ['0', '1.5', 'latest']) {
      const res = await read(lesson.lessonId, student, { version: bad });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual({ 'querystring.version': 'must be a whole number of at least 1' });
    }
  });

  it('sanitises the HTML: no script, event handler, frame, style or javascript: URL survives, and safe Markdown does', async () => {
    const { instructor, lesson, student } = await lessonWithPeople();
    const payload = [
      '# Safe *title*',
      '',
      '<script>alert("xss")</script>',
      '',
      '<img src="https://example.com/x.png" onerror="alert(1)" alt="pic">',
      '',
      '[click me](javascript:alert(2)) and [ok](https://example.com/page "Page")',
      '',
      '<a href="JaVaScRiPt:alert(3)" onclick="alert(4)">mixed case</a>',
      '',
      '<iframe src="https://evil.example"></iframe>',
      '',
      '<svg onload="alert(5)"><circle r="1"/></svg>',
      '',
      '<div style="background:url(javascript:alert(6))" onmouseover="alert(7)">styled</div>',
      '',
      '<style>body { display: none }</style>',
      '',
      '![tracking](data:image/png;base64,AAAA)',
      '',
      '<img src="https://example.com/decorative.png">',
      '',
      '```js',
      'const x = "<script>";',
      '```',
    ].join('\n');
    const saved = await save(lesson.lessonId, instructor, { body: payload });
    expect(saved.status).toBe(201);
    const { html, markdown } = (await read(lesson.lessonId, student)).body.data;
    // the Markdown is kept as written; only the HTML is cleaned
    expect(markdown).toBe(payload);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/<iframe|<svg|<style|style=/i);
    expect(html).not.toMatch(/data:image/);
    expect(html).not.toContain('alert("xss")');
    expect(html).toContain('<h1>Safe <em>title</em></h1>');
    expect(html).toContain('<img src="https://example.com/x.png" alt="pic" />');
    // an image with no text alternative is marked decorative
    expect(html).toContain('<img src="https://example.com/decorative.png" alt="" />');
    expect(html).toContain('<a href="https://example.com/page" title="Page" rel="noopener noreferrer nofollow">ok</a>');
    expect(html).toContain('<div>styled</div>');
    // code is shown as text, escaped
    expect(html).toContain('<pre><code class="language-js">const x = "&lt;script&gt;";');
  });

  it('is refused without a token (401), to students not enrolled or withdrawn and to other instructors (403); 404 for unknown lessons and lessons without content', async () => {
    const { instructor, lesson, course, student, outsider, otherInstructor } = await lessonWithPeople();
    const empty = await read(lesson.lessonId, student);
    expect(empty.status).toBe(404);
    expect(empty.body).toMatchObject({ code: 'CONTENT_NOT_FOUND', error: 'This lesson has no content yet' });
    await save(lesson.lessonId, instructor, { body: 'Members only' });

    expect((await read(lesson.lessonId, undefined)).status).toBe(401);
    const notEnrolled = await read(lesson.lessonId, outsider);
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    expect((await read(lesson.lessonId, otherInstructor)).status).toBe(403);
    expect((await read(lesson.lessonId, outsider, { version: 1 })).status).toBe(403);
    const unknown = await read('00000000-0000-4000-8000-000000000000', student);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LESSON_NOT_FOUND');

    // leaving the course ends access
    expect((await read(lesson.lessonId, student)).status).toBe(200);
    expect((await api('DELETE', `/api/courses/${course.courseId}/enroll`, { token: student.token })).status).toBe(200);
    expect((await read(lesson.lessonId, student)).status).toBe(403);
  });

  it('answers an ETag and 304 for If-None-Match until a new version is saved', async () => {
    const { instructor, lesson, student } = await lessonWithPeople();
    await save(lesson.lessonId, instructor, { body: 'Cached' });
    const first = await read(lesson.lessonId, student);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await api('GET', `/api/lessons/${lesson.lessonId}/content`, { token: student.token, headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    await save(lesson.lessonId, instructor, { body: 'Changed' });
    const changed = await api('GET', `/api/lessons/${lesson.lessonId}/content`, { token: student.token, headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.body.data.markdown).toBe('Changed');
  });
});

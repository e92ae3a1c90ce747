// Lesson media, uploads and downloads with real files: types read from the bytes, ETag / Range /
// Content-Disposition on every download, who may read what, submissions pointing to the student's own
// upload, and (on a server of its own) the size limit and storage failures leaving no file behind.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { ensureAdminAccount } from '../src/server/features/auth/service.js';
import { api, baseUrl, createAssignment, createLesson, createStudent, enroll, type TestUser } from './support/api.js';
import { TEST_ADMIN } from './support/constants.js';
import {
  exeBytes,
  fetchBytes,
  filesUnder,
  lessonWithPeople,
  pdfBytes,
  pngBytes,
  readZip,
  streamUploadTo,
  uploadMedia,
  uploadOwn,
  uploadTo,
} from './support/files.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const getFile = (fileId: string, user?: TestUser, headers: Record<string, string> = {}) =>
  fetchBytes(`/api/files/${fileId}`, { token: user?.token, headers });
const lessonDownload = (lessonId: string, user?: TestUser, options: { headers?: Record<string, string>; query?: Record<string, string> } = {}) =>
  fetchBytes(`/api/lessons/${lessonId}/download`, { token: user?.token, ...options });
const listMedia = (lessonId: string, user?: TestUser) => api('GET', `/api/lessons/${lessonId}/media`, { token: user?.token });

describe('POST /api/lessons/:lessonId/media', () => {
  it('stores real PNG and PDF files typed from their bytes, lists them, and serves them back byte for byte', async () => {
    const { instructor, lesson, student, admin } = await lessonWithPeople();
    const png = pngBytes(3, 2);
    const pdf = await pdfBytes('Lesson handout');
    const image = await uploadMedia(lesson.lessonId, instructor, png, 'diagram.png');
    expect(image.status).toBe(201);
    expect(image.body).toEqual({
      data: {
        fileId: expect.stringMatching(uuidPattern),
        fileName: 'diagram.png',
        size: png.length,
        contentType: 'image/png',
        url: `/api/files/${image.body.data.fileId}`,
      },
    });
    // no extension: the type still comes from the bytes; an admin may add media to any lesson
    const handout = await uploadMedia(lesson.lessonId, admin, pdf, 'handout');
    expect(handout.status).toBe(201);
    expect(handout.body.data).toMatchObject({ fileName: 'handout', size: pdf.length, contentType: 'application/pdf' });

    const listed = await listMedia(lesson.lessonId, student);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      { ...image.body.data, sha256: sha256(png), createdAt: expect.stringMatching(/^\d{4}-/) },
      { ...handout.body.data, sha256: sha256(pdf), createdAt: expect.stringMatching(/^\d{4}-/) },
    ]);
    const back = await getFile(image.body.data.fileId, student);
    expect(back.status).toBe(200);
    expect(back.bytes.equals(png)).toBe(true);
    expect((await getFile(handout.body.data.fileId, student)).bytes.equals(pdf)).toBe(true);
  });

  it('refuses a file whose bytes are not an allowed type, or disguised by its name, with 415, and keeps nothing', async () => {
    const { instructor, lesson } = await lessonWithPeople();
    const cases: Array<[Buffer, string]> = [
      [exeBytes(), 'cute-cat.png'],
      [exeBytes(), 'setup'],
      [Buffer.from('just some words, not an image\n'), 'photo.png'],
      [await pdfBytes('a pdf'), 'photo.png'],
      [pngBytes(), 'notes.txt'],
      [Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'page.txt'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'icon.md'],
      [Buffer.from('text with a \u0000 NUL byte'), 'notes.txt'],
      // text for its first 240 KB (several chunks), then bytes that are not UTF-8
      [Buffer.concat([Buffer.from('valid start '.repeat(20_000)), Buffer.from([0xff, 0xfe, 0xfd])]), 'long.txt'],
      [Buffer.concat([Buffer.from('valid start '.repeat(20_000)), Buffer.from([0x00])]), 'long.md'],
    ];
    for (const [bytes, name] of cases) {
      const res = await uploadMedia(lesson.lessonId, instructor, bytes, name);
      expect(res.status, name).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await listMedia(lesson.lessonId, instructor)).body.data).toEqual([]);
    // the honest versions of the same names are accepted
    const text = await uploadMedia(lesson.lessonId, instructor, Buffer.from('# Notes\n\nPlain Markdown, ünïcödé.\n'), 'notes.md');
    expect(text.status).toBe(201);
    expect(text.body.data.contentType).toBe('text/markdown');
    expect((await uploadMedia(lesson.lessonId, instructor, pngBytes(), 'photo.png')).body.data.contentType).toBe('image/png');
  });

  it('keeps only the last part of the name, without control or reserved characters', async () => {
    const { instructor, lesson } = await lessonWithPeople();
    const cases: Array<[string, string]> = [
      ['../../etc/pass\u0001wd.png', 'passwd.png'],
      ['C:\\Users\\me\\x<y>.png', 'xy.png'],
      ['.hidden.png', 'hidden.png'],
      ['   ', 'file.png'],
      // a browser sends `"` as %22
      ['say "cheese".png', 'say cheese.png'],
    ];
    for (const [sent, kept] of cases) {
      const res = await uploadMedia(lesson.lessonId, instructor, pngBytes(), sent);
      expect(res.status, sent).toBe(201);
      expect(res.body.data.fileName).toBe(kept);
    }
  });

  it('is refused without a token (401), to students and other instructors (403), for unknown lessons (404), and without a file (400, 415)', async () => {
    const { instructor, lesson, student, otherInstructor } = await lessonWithPeople();
    const png = pngBytes();
    expect((await uploadTo(`/api/lessons/${lesson.lessonId}/media`, png, 'a.png')).status).toBe(401);
    const asStudent = await uploadMedia(lesson.lessonId, student, png, 'a.png');
    expect(asStudent.status).toBe(403);
    expect(asStudent.body.code).toBe('FORBIDDEN');
    expect((await uploadMedia(lesson.lessonId, otherInstructor, png, 'a.png')).status).toBe(403);
    const unknown = await uploadMedia(UNKNOWN_ID, instructor, png, 'a.png');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LESSON_NOT_FOUND');
    const badId = await uploadMedia('nope', instructor, png, 'a.png');
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual({ 'params.lessonId': 'must be a valid id' });

    const json = await api('POST', `/api/lessons/${lesson.lessonId}/media`, { token: instructor.token, body: { file: 'x' } });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = new FormData();
    form.append('note', 'no file here');
    const noFile = await fetch(new URL(`/api/lessons/${lesson.lessonId}/media`, baseUrl()), {
      method: 'POST',
      headers: { authorization: `Bearer ${instructor.token}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { details: unknown }).details).toEqual({ 'body.file': 'is required' });
    const empty = await uploadMedia(lesson.lessonId, instructor, Buffer.alloc(0), 'empty.txt');
    expect(empty.status).toBe(400);
    expect(empty.body.details).toEqual({ 'body.file': 'must not be empty' });
    expect((await listMedia(lesson.lessonId, instructor)).body.data).toEqual([]);
  });

  it('writes lesson_media.create to the audit log', async () => {
    const { instructor, lesson, admin } = await lessonWithPeople();
    const png = pngBytes();
    const uploaded = await uploadMedia(lesson.lessonId, instructor, png, 'a.png');
    const audit = await api('GET', '/api/admin/audit-log', {
      token: admin.token,
      query: { action: 'lesson_media.create', targetId: uploaded.body.data.fileId },
    });
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ id: instructor.id }),
        targetType: 'lesson_media',
        after: { fileName: 'a.png', contentType: 'image/png', size: png.length, sha256: sha256(png), lessonId: lesson.lessonId },
      }),
    ]);
  });
});

describe('GET /api/lessons/:lessonId/media', () => {
  it('is for the lesson readers only: 401 without a token, 403 for outsiders, 404 for unknown lessons', async () => {
    const { lesson, instructor, outsider, otherInstructor, admin } = await lessonWithPeople();
    expect((await listMedia(lesson.lessonId, instructor)).status).toBe(200);
    expect((await listMedia(lesson.lessonId, admin)).status).toBe(200);
    expect((await listMedia(lesson.lessonId)).status).toBe(401);
    expect((await listMedia(lesson.lessonId, outsider)).status).toBe(403);
    expect((await listMedia(lesson.lessonId, otherInstructor)).status).toBe(403);
    expect((await listMedia(UNKNOWN_ID, admin)).status).toBe(404);
  });
});

describe('POST /api/uploads', () => {
  it('takes a file from any signed-in user, for their submissions, and writes upload.create', async () => {
    const student = await createStudent();
    const pdf = await pdfBytes('My essay');
    const res = await uploadOwn(student, pdf, 'essay.pdf');
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      fileId: expect.stringMatching(uuidPattern),
      fileName: 'essay.pdf',
      size: pdf.length,
      contentType: 'application/pdf',
      url: `/api/files/${res.body.data.fileId}`,
    });
    expect((await getFile(res.body.data.fileId, student)).bytes.equals(pdf)).toBe(true);
    const { instructor, admin } = await lessonWithPeople();
    expect((await uploadOwn(instructor, pngBytes(), 'x.png')).status).toBe(201);
    const audit = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'upload.create', targetId: res.body.data.fileId } });
    expect(audit.body.data).toEqual([
      expect.objectContaining({ targetType: 'upload', after: expect.objectContaining({ fileName: 'essay.pdf', sha256: sha256(pdf) }) }),
    ]);
  });

  it('is refused without a token (401) and for a disguised file (415)', async () => {
    const student = await createStudent();
    expect((await uploadTo('/api/uploads', pngBytes(), 'a.png')).status).toBe(401);
    const disguised = await uploadOwn(student, exeBytes(), 'homework.pdf');
    expect(disguised.status).toBe(415);
  });
});

describe('GET /api/files/:fileId', () => {
  it('sends the file with Content-Disposition, a sha-256 ETag, its type and length', async () => {
    const { instructor, lesson, student } = await lessonWithPeople();
    const pdf = await pdfBytes('Résumé');
    const uploaded = await uploadMedia(lesson.lessonId, instructor, pdf, 'Résumé – final;1%.pdf');
    const res = await getFile(uploaded.body.data.fileId, student);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(pdf.length));
    expect(res.headers.get('etag')).toBe(`"${sha256(pdf)}"`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Resume final_1_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20final%3B1%25.pdf`,
    );
    expect(res.bytes.equals(pdf)).toBe(true);
    // HEAD: the same headers, no body
    const head = await fetch(new URL(`/api/files/${uploaded.body.data.fileId}`, baseUrl()), {
      method: 'HEAD',
      headers: { authorization: `Bearer ${student.token}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(pdf.length));
    expect(head.headers.get('etag')).toBe(`"${sha256(pdf)}"`);
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const text = await uploadMedia(lesson.lessonId, instructor, Buffer.from('plain words\n'), 'words.txt');
    expect((await getFile(text.body.data.fileId, student)).headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('answers 304 when If-None-Match holds the ETag (alone, in a list, or weak), and the file otherwise', async () => {
    const { instructor, lesson, student } = await lessonWithPeople();
    const png = pngBytes();
    const { fileId } = (await uploadMedia(lesson.lessonId, instructor, png, 'a.png')).body.data;
    const etag = `"${sha256(png)}"`;
    for (const header of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
      const res = await getFile(fileId, student, { 'if-none-match': header });
      expect(res.status, header).toBe(304);
      expect(res.bytes.length).toBe(0);
      expect(res.headers.get('etag')).toBe(etag);
    }
    const changed = await getFile(fileId, student, { 'if-none-match': '"something-else"' });
    expect(changed.status).toBe(200);
    expect(changed.bytes.equals(png)).toBe(true);
  });

  it('serves one byte range with 206 and exactly those bytes; 416 beyond the end; the whole file for several ranges or a stale If-Range', async () => {
    const { instructor, lesson, student } = await lessonWithPeople();
    const pdf = await pdfBytes('Ranges '.repeat(50));
    const size = pdf.length;
    const { fileId } = (await uploadMedia(lesson.lessonId, instructor, pdf, 'r.pdf')).body.data;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9],
      ['bytes=100-199', 100, 199],
      [`bytes=${size - 5}-`, size - 5, size - 1],
      ['bytes=-7', size - 7, size - 1],
      [`bytes=10-${size + 1000}`, 10, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await getFile(fileId, student, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(res.bytes.equals(pdf.subarray(start, end + 1)), range).toBe(true);
    }
    const beyond = await getFile(fileId, student, { range: `bytes=${size}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
    expect(beyond.body.code).toBe('RANGE_NOT_SATISFIABLE');
    expect(beyond.headers.get('content-disposition')).toBeNull();
    expect((await getFile(fileId, student, { range: 'bytes=-0' })).status).toBe(416);

    const etag = `"${sha256(pdf)}"`;
    const current = await getFile(fileId, student, { range: 'bytes=0-3', 'if-range': etag });
    expect(current.status).toBe(206);
    expect(current.bytes.toString('latin1')).toBe('%PDF');
    const ignored: Array<Record<string, string>> = [{ range: 'bytes=0-1,5-6' }, { range: 'bytes=0-3', 'if-range': '"stale"' }, { range: 'lines=1-2' }];
    for (const headers of ignored) {
      const whole = await getFile(fileId, student, headers);
      expect(whole.status, JSON.stringify(headers)).toBe(200);
      expect(whole.bytes.equals(pdf)).toBe(true);
    }
  });

  it('lesson media: enrolled students, the instructor and admins may download; outsiders and other instructors get 403', async () => {
    const { instructor, lesson, course, student, outsider, otherInstructor, admin } = await lessonWithPeople();
    const { fileId } = (await uploadMedia(lesson.lessonId, instructor, pngBytes(), 'a.png')).body.data;
    for (const user of [student, instructor, admin]) expect((await getFile(fileId, user)).status).toBe(200);
    for (const user of [outsider, otherInstructor]) {
      const res = await getFile(fileId, user);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await getFile(fileId)).status).toBe(401);
    const unknown = await getFile(UNKNOWN_ID, admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('FILE_NOT_FOUND');
    expect((await getFile('nope', admin)).status).toBe(400);
    // a student who leaves the course loses access
    await api('DELETE', `/api/courses/${course.courseId}/enroll`, { token: student.token });
    expect((await getFile(fileId, student)).status).toBe(403);
  });

  it("a submission file: its owner, admins, and the instructor of the course it was submitted to; not classmates or other instructors", async () => {
    const { instructor, course, student, otherInstructor, admin } = await lessonWithPeople();
    const assignment = await createAssignment(instructor, course.courseId);
    const classmate = await createStudent();
    await enroll(classmate, course.courseId);
    const { fileId, url } = (await uploadOwn(student, await pdfBytes('work'), 'work.pdf')).body.data;
    // not yet submitted: the instructor has no reason to see it
    expect((await getFile(fileId, instructor)).status).toBe(403);
    const submitted = await api('POST', '/api/assignments/submit', { token: student.token, body: { assignmentId: assignment.assignmentId, fileUrl: url } });
    expect(submitted.status).toBe(201);
    for (const user of [student, admin, instructor]) expect((await getFile(fileId, user)).status).toBe(200);
    for (const user of [classmate, otherInstructor]) expect((await getFile(fileId, user)).status).toBe(403);
  });
});

describe('GET /api/lessons/:lessonId/download', () => {
  it('gives a ZIP of lesson.md (the latest version) and every media file, named after the lesson, with ETag and Content-Length', async () => {
    const { instructor, lesson, student } = await lessonWithPeople();
    await api('POST', `/api/lessons/${lesson.lessonId}/content`, { token: instructor.token, body: { body: '# Old' } });
    await api('POST', `/api/lessons/${lesson.lessonId}/content`, { token: instructor.token, body: { body: '# Latest\n\n![d](/api/files/x)' } });
    const png = pngBytes(4, 4);
    const otherPng = pngBytes(1, 1, [0, 0, 255]);
    const pdf = await pdfBytes('Handout');
    await uploadMedia(lesson.lessonId, instructor, png, 'figure.png');
    await uploadMedia(lesson.lessonId, instructor, otherPng, 'figure.png');
    await uploadMedia(lesson.lessonId, instructor, pdf, 'handout.pdf');

    const res = await lessonDownload(lesson.lessonId, student);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-length')).toBe(String(res.bytes.length));
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${lesson.title}.zip"; filename*=UTF-8''${encodeURIComponent(lesson.title)}.zip`,
    );
    const entries = readZip(res.bytes);
    expect([...entries.keys()]).toEqual(['lesson.md', 'media/figure.png', 'media/figure (2).png', 'media/handout.pdf']);
    expect(entries.get('lesson.md')!.toString('utf8')).toBe('# Latest\n\n![d](/api/files/x)');
    expect(entries.get('media/figure.png')!.equals(png)).toBe(true);
    expect(entries.get('media/figure (2).png')!.equals(otherPng)).toBe(true);
    expect(entries.get('media/handout.pdf')!.equals(pdf)).toBe(true);

    // the same lesson gives the same bytes and ETag; a new version changes both
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await lessonDownload(lesson.lessonId, student);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.bytes.equals(res.bytes)).toBe(true);
    expect((await lessonDownload(lesson.lessonId, student, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await api('POST', `/api/lessons/${lesson.lessonId}/content`, { token: instructor.token, body: { body: '# Newer' } });
    const newer = await lessonDownload(lesson.lessonId, student, { headers: { 'if-none-match': etag } });
    expect(newer.status).toBe(200);
    expect(newer.headers.get('etag')).not.toBe(etag);
    expect(readZip(newer.bytes).get('lesson.md')!.toString()).toBe('# Newer');

    // a byte range of the archive is exactly that part of it
    const whole = newer.bytes;
    const part = await lessonDownload(lesson.lessonId, student, { headers: { range: 'bytes=20-119' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 20-119/${whole.length}`);
    expect(part.bytes.equals(whole.subarray(20, 120))).toBe(true);
    const tail = await lessonDownload(lesson.lessonId, student, { headers: { range: 'bytes=-22' } });
    expect(tail.bytes.equals(whole.subarray(whole.length - 22))).toBe(true);
  });

  it('without content, lesson.md holds the lesson title and description', async () => {
    const { lesson, instructor } = await lessonWithPeople();
    const res = await lessonDownload(lesson.lessonId, instructor);
    expect(res.status).toBe(200);
    const entries = readZip(res.bytes);
    expect([...entries.keys()]).toEqual(['lesson.md']);
    expect(entries.get('lesson.md')!.toString()).toBe(`# ${lesson.title}\n\nLesson body\n`);
  });

  it('with ?fileId= gives one media file with the same headers; a file of another lesson is 404', async () => {
    const { instructor, lesson, course, student } = await lessonWithPeople();
    const pdf = await pdfBytes('One file');
    const { fileId } = (await uploadMedia(lesson.lessonId, instructor, pdf, 'one.pdf')).body.data;
    const res = await lessonDownload(lesson.lessonId, student, { query: { fileId } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('etag')).toBe(`"${sha256(pdf)}"`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="one.pdf"; filename*=UTF-8''one.pdf`);
    expect(res.bytes.equals(pdf)).toBe(true);
    const range = await lessonDownload(lesson.lessonId, student, { query: { fileId }, headers: { range: 'bytes=0-4' } });
    expect(range.status).toBe(206);
    expect(range.bytes.toString('latin1')).toBe('%PDF-');

    const otherLesson = await createLesson(instructor, course.courseId);
    const elsewhere = await lessonDownload(otherLesson.lessonId, student, { query: { fileId } });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('FILE_NOT_FOUND');
    // a submission upload is not lesson media
    const own = (await uploadOwn(student, pngBytes(), 'mine.png')).body.data.fileId;
    expect((await lessonDownload(lesson.lessonId, student, { query: { fileId: own } })).status).toBe(404);
    expect((await lessonDownload(lesson.lessonId, student, { query: { fileId: 'x' } })).status).toBe(400);
  });

  it('is refused to students not enrolled and to other instructors (403), without a token (401), for unknown lessons (404)', async () => {
    const { instructor, lesson, outsider, otherInstructor, admin } = await lessonWithPeople();
    await uploadMedia(lesson.lessonId, instructor, pngBytes(), 'a.png');
    const notEnrolled = await lessonDownload(lesson.lessonId, outsider);
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    expect(notEnrolled.headers.get('content-disposition')).toBeNull();
    expect((await lessonDownload(lesson.lessonId, otherInstructor)).status).toBe(403);
    expect((await lessonDownload(lesson.lessonId)).status).toBe(401);
    expect((await lessonDownload(lesson.lessonId, admin)).status).toBe(200);
    const unknown = await lessonDownload(UNKNOWN_ID, admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LESSON_NOT_FOUND');
  });
});

describe('submissions point to the student’s own upload', () => {
  const submit = (user: TestUser, body: Record<string, unknown>) => api('POST', '/api/assignments/submit', { token: user.token, body });

  it('keeps the canonical url and the upload’s name, whether the url is relative or absolute', async () => {
    const { instructor, course, student } = await lessonWithPeople();
    const assignment = await createAssignment(instructor, course.courseId);
    const pdf = await pdfBytes('answer');
    const { fileId, url } = (await uploadOwn(student, pdf, 'answer.pdf')).body.data;
    const first = await submit(student, { assignmentId: assignment.assignmentId, fileUrl: url, fileName: 'ignored.pdf' });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ fileUrl: `/api/files/${fileId}`, fileName: 'answer.pdf' });
    const absolute = await submit(student, { assignmentId: assignment.assignmentId, fileUrl: new URL(url, baseUrl()).toString() });
    expect(absolute.status).toBe(201);
    expect(absolute.body.data.fileUrl).toBe(`/api/files/${fileId}`);
    // the instructor reads it through the link the submission holds
    const submissions = await api('GET', `/api/assignments/${assignment.assignmentId}/submissions`, { token: instructor.token });
    const link = submissions.body.data[0].fileUrl as string;
    expect((await fetchBytes(link, { token: instructor.token })).bytes.equals(pdf)).toBe(true);
  });

  it("refuses someone else's upload (403), lesson media, unknown files and other URLs (400), and submits nothing", async () => {
    const { instructor, course, lesson, student } = await lessonWithPeople();
    const assignment = await createAssignment(instructor, course.courseId);
    const classmate = await createStudent();
    await enroll(classmate, course.courseId);
    const theirs = (await uploadOwn(classmate, pngBytes(), 'theirs.png')).body.data.url;
    const media = (await uploadMedia(lesson.lessonId, instructor, pngBytes(), 'media.png')).body.data.url;

    const stolen = await submit(student, { assignmentId: assignment.assignmentId, fileUrl: theirs });
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('FORBIDDEN');
    const cases: Array<[string, string]> = [
      [media, 'must be a file uploaded with POST /api/uploads'],
      [`/api/files/${UNKNOWN_ID}`, 'does not name an uploaded file'],
      ['https://files.example.com/work.pdf', 'must be the url of a file you uploaded with POST /api/uploads (/api/files/<fileId>)'],
      [`/api/files/${UNKNOWN_ID}/../x`, 'must be the url of a file you uploaded with POST /api/uploads (/api/files/<fileId>)'],
    ];
    for (const [fileUrl, message] of cases) {
      const res = await submit(student, { assignmentId: assignment.assignmentId, fileUrl });
      expect(res.status, fileUrl).toBe(400);
      expect(res.body.details).toEqual({ 'body.fileUrl': message });
    }
    const details = await api('GET', `/api/assignments/${assignment.assignmentId}`, { token: student.token });
    expect(details.body.data.submission.status).toBe('not_started');
  });
});

// ---- a server of its own: a small upload limit, and storage that can be broken on purpose

interface OwnServer {
  app: FastifyInstance;
  base: string;
  dataDir: string;
  token: string;
}

async function startServer(database: DatabaseHandle, dataDir: string, uploadMaxBytes: number): Promise<OwnServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    LOG_LEVEL: 'silent',
    UPLOAD_MAX_BYTES: String(uploadMaxBytes),
  });
  const app = await buildApp({ config, database, logger: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const signIn = await fetch(new URL('/api/auth/signin', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(TEST_ADMIN),
  });
  const { data } = (await signIn.json()) as { data: { accessToken: string } };
  return { app, base, dataDir, token: data.accessToken };
}

/**
 * Closes a server of this file. Its keep-alive connections are dropped too: one the client has just
 * finished with may not count as idle yet, and would otherwise hold the close until its keep-alive ends.
 */
async function stopOwnServer(own: OwnServer): Promise<void> {
  const closing = own.app.close();
  own.app.server.closeAllConnections();
  await closing;
}

describe('upload limit and storage failures (a server with UPLOAD_MAX_BYTES = 64 KiB)', () => {
  const LIMIT = 64 * 1024;
  let database: DatabaseHandle;
  let server: OwnServer;
  const uploadsDir = () => join(server.dataDir, 'uploads');

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
    await ensureAdminAccount(database.db, TEST_ADMIN);
    server = await startServer(database, mkdtempSync(join(tmpdir(), 'skilled-files-')), LIMIT);
  });

  afterAll(async () => {
    if (server) await stopOwnServer(server);
    await database?.close();
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('accepts a file of exactly the limit; cuts off a larger one with 413 and leaves no file, with or without Content-Length', async () => {
    const options = { token: server.token, base: server.base };
    const exact = await uploadTo('/api/uploads', Buffer.alloc(LIMIT, 0x61), 'exact.txt', options);
    expect(exact.status).toBe(201);
    expect(exact.body.data.size).toBe(LIMIT);
    const kept = filesUnder(uploadsDir());
    expect(kept).toEqual([join(uploadsDir(), exact.body.data.fileId)]);

    // announced by Content-Length: refused before the body is read
    const announced = await uploadTo('/api/uploads', Buffer.alloc(LIMIT * 3, 0x61), 'big.txt', options);
    expect(announced.status).toBe(413);
    expect(announced.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', error: `The file is larger than the limit of ${LIMIT} bytes; nothing was kept` });
    // streamed without a length: cut off while it arrives, one byte over the limit or far over it
    for (const size of [LIMIT + 1, 2 * 1024 * 1024]) {
      const streamed = await streamUploadTo('/api/uploads', size, 'big.txt', options);
      expect(streamed.status, String(size)).toBe(413);
      expect(streamed.body.code).toBe('PAYLOAD_TOO_LARGE');
    }
    // a streamed file within the limit still works
    const small = await streamUploadTo('/api/uploads', 1000, 'small.txt', options);
    expect(small.status).toBe(201);
    expect(small.body.data.size).toBe(1000);
    expect(filesUnder(uploadsDir()).sort()).toEqual([...kept, join(uploadsDir(), small.body.data.fileId)].sort());
    // a refused type (NUL bytes named .txt) leaves nothing either
    const disguised = await streamUploadTo('/api/uploads', 30_000, 'notes.txt', { ...options, fill: 0 });
    expect(disguised.status).toBe(415);
    expect(filesUnder(uploadsDir())).toHaveLength(2);
  });

  it('a failure to write answers a clean 500 JSON error and keeps nothing', async () => {
    const options = { token: server.token, base: server.base };
    const before = filesUnder(uploadsDir());
    const tempDir = join(uploadsDir(), '.tmp');
    rmSync(tempDir, { recursive: true, force: true });
    writeFileSync(tempDir, 'not a folder');
    try {
      const res = await uploadTo('/api/uploads', pngBytes(), 'a.png', options);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 'INTERNAL_ERROR', error: 'The file could not be stored; nothing was kept' });
      expect(filesUnder(uploadsDir()).filter((f) => f !== tempDir)).toEqual(before);
    } finally {
      rmSync(tempDir, { force: true });
    }
    expect((await uploadTo('/api/uploads', pngBytes(), 'a.png', options)).status).toBe(201);
  });

  it('at start, removes stored files an hour old whose upload row is gone, and keeps every other file', async () => {
    const options = { token: server.token, base: server.base };
    const kept = (await uploadTo('/api/uploads', pngBytes(), 'kept.png', options)).body.data.fileId as string;
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(uploadsDir(), kept), hoursAgo, hoursAgo);
    const orphan = join(uploadsDir(), randomUUID());
    const recentOrphan = join(uploadsDir(), randomUUID());
    const notOurs = join(uploadsDir(), 'README.txt');
    for (const path of [orphan, recentOrphan, notOurs]) writeFileSync(path, 'bytes');
    utimesSync(orphan, hoursAgo, hoursAgo);
    utimesSync(notOurs, hoursAgo, hoursAgo);

    const restarted = await startServer(database, server.dataDir, LIMIT);
    try {
      await expect.poll(() => existsSync(orphan), { timeout: 10_000 }).toBe(false);
      expect(existsSync(join(uploadsDir(), kept))).toBe(true);
      expect(existsSync(recentOrphan)).toBe(true);
      expect(existsSync(notOurs)).toBe(true);
      const back = await fetchBytes(`/api/files/${kept}`, { token: restarted.token, base: restarted.base });
      expect(back.bytes.equals(pngBytes())).toBe(true);
    } finally {
      await stopOwnServer(restarted);
      rmSync(recentOrphan, { force: true });
      rmSync(notOurs, { force: true });
    }
  });

  it('a full disk answers 507 INSUFFICIENT_STORAGE and keeps nothing (needs a small tmpfs, so Linux as root)', async (context) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skilled-files-full-'));
    mkdirSync(join(dataDir, 'uploads'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', join(dataDir, 'uploads')], { stdio: 'ignore' });
    } catch {
      rmSync(dataDir, { recursive: true, force: true });
      context.skip();
    }
    const full = await startServer(database, dataDir, 1024 * 1024);
    try {
      const options = { token: full.token, base: full.base };
      const res = await uploadTo('/api/uploads', Buffer.alloc(512 * 1024, 0x61), 'big.txt', options);
      expect(res.status).toBe(507);
      expect(res.body).toMatchObject({ code: 'INSUFFICIENT_STORAGE', error: 'There is no room left to store the file; nothing was kept' });
      expect(filesUnder(join(dataDir, 'uploads'))).toEqual([]);
      // the space was given back: a small file fits
      expect((await uploadTo('/api/uploads', pngBytes(), 'a.png', options)).status).toBe(201);
    } finally {
      await stopOwnServer(full);
      execFileSync('umount', [join(dataDir, 'uploads')], { stdio: 'ignore' });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// Helpers for upload and download tests: real PNG and PDF bytes, multipart uploads (with a length or
// streamed without one), binary downloads, a small ZIP reader, and a lesson with its people.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import {
  baseUrl,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './api.js';

/** A real PNG image of `width` × `height` pixels of one colour. */
export function pngBytes(width = 2, height = 2, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real one-page PDF holding `text`. */
export function pdfBytes(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A6' });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text(text);
    doc.end();
  });
}

/** The first bytes of a Windows executable. */
export const exeBytes = (): Buffer => Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(512, 0)]);

export interface HttpResult {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The parsed JSON body, when the answer is JSON. */
  body: any;
}

async function result(response: Response): Promise<HttpResult> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, headers: response.headers, bytes, body: isJson && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined };
}

export interface UploadOptions {
  token?: string;
  /** Another server than the shared one. */
  base?: string;
  field?: string;
  headers?: Record<string, string>;
}

/** Uploads one file as multipart/form-data (with a Content-Length). */
export async function uploadTo(path: string, bytes: Buffer, fileName: string, options: UploadOptions = {}): Promise<HttpResult> {
  const form = new FormData();
  form.append(options.field ?? 'file', new Blob([new Uint8Array(bytes)]), fileName);
  const response = await fetch(new URL(path, options.base ?? baseUrl()), {
    method: 'POST',
    headers: { ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: form,
  });
  return result(response);
}

/** Uploads `size` bytes of `fill` as a multipart body streamed in chunks, without a Content-Length. */
export async function streamUploadTo(
  path: string,
  size: number,
  fileName: string,
  options: UploadOptions & { fill?: number } = {},
): Promise<HttpResult & { sent: number }> {
  const boundary = `----skilled${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new Uint8Array(head));
      if (sent >= size) {
        controller.enqueue(new Uint8Array(tail));
        controller.close();
        return;
      }
      const n = Math.min(64 * 1024, size - sent);
      sent += n;
      controller.enqueue(new Uint8Array(Buffer.alloc(n, options.fill ?? 0x61)));
    },
  });
  const response = await fetch(new URL(path, options.base ?? baseUrl()), {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body,
    duplex: 'half',
  } as RequestInit);
  return { ...(await result(response)), sent };
}

/** A GET whose body may be binary. */
export async function fetchBytes(
  path: string,
  options: { token?: string; headers?: Record<string, string>; query?: Record<string, string>; base?: string } = {},
): Promise<HttpResult> {
  const url = new URL(path, options.base ?? baseUrl());
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const response = await fetch(url, {
    headers: { ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
  });
  return result(response);
}

/** The entries of a ZIP archive (stored or deflated), each checked against its CRC. */
export function readZip(bytes: Buffer): Map<string, Buffer> {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a ZIP archive');
  const count = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (bytes.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory');
    const method = bytes.readUInt16LE(offset + 10);
    const crc = bytes.readUInt32LE(offset + 16);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const localOffset = bytes.readUInt32LE(offset + 42);
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0) throw new Error(`entry ${name} is compressed with method ${method}`);
    if (crc32(raw) !== crc) throw new Error(`entry ${name} fails its CRC`);
    entries.set(name, Buffer.from(raw));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Every file (not folder) under `dir`, recursively; none when it does not exist. */
export function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** A course with one lesson, its instructor, an enrolled student, an outsider student, another instructor and the admin. */
export async function lessonWithPeople() {
  const instructor = await createInstructor();
  const course = await createCourse(instructor);
  const lesson = await createLesson(instructor, course.courseId, { title: `Lesson ${course.title.slice(7)}` });
  const student = await createStudent();
  await enroll(student, course.courseId);
  const [outsider, otherInstructor, admin] = await Promise.all([createStudent(), createInstructor(), signInAdmin()]);
  return { instructor, course, lesson, student, outsider, otherInstructor, admin };
}

export const uploadMedia = (lessonId: string, user: TestUser, bytes: Buffer, fileName: string) =>
  uploadTo(`/api/lessons/${lessonId}/media`, bytes, fileName, { token: user.token });

export const uploadOwn = (user: TestUser, bytes: Buffer, fileName: string) => uploadTo('/api/uploads', bytes, fileName, { token: user.token });

/** An empty but valid ZIP archive (just its end-of-central-directory record). */
export const emptyZipBytes = (): Buffer => Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

/** Uploads a small real file named `fileName` (PDF, ZIP or text, after its extension) and gives its url. */
export async function uploadedFileUrl(user: TestUser, fileName: string): Promise<string> {
  const bytes = fileName.endsWith('.pdf')
    ? await pdfBytes(fileName)
    : fileName.endsWith('.zip')
      ? emptyZipBytes()
      : Buffer.from(`Contents of ${fileName}\n`);
  const res = await uploadOwn(user, bytes, fileName);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.url as string;
}

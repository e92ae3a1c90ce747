// Helpers for report and export tests: binary downloads, an RFC 4180 CSV parser, a small ZIP reader,
// PDF text and drawing extraction, and polling an export job.
import { inflateRawSync } from 'node:zlib';
import { PDFParse } from 'pdf-parse';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { api, baseUrl, type TestUser } from './api.js';

export interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
  /** The JSON body of an error answer. */
  json: any;
}

export async function download(
  path: string,
  token?: string,
  query: Record<string, string | undefined> = {},
  headers: Record<string, string> = {},
): Promise<Download> {
  const url = new URL(path, baseUrl());
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  const response = await fetch(url, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, headers: response.headers, bytes, text, json: isJson && text ? JSON.parse(text) : undefined };
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF');
  return records;
}

/** Records as objects keyed by the header row; every record must have the header's width. */
export function csvObjects(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...records] = parseCsv(text);
  if (!header) throw new Error('CSV has no header');
  for (const record of records) {
    if (record.length !== header.length) throw new Error(`record of ${record.length} fields for ${header.length} columns`);
  }
  return { header, rows: records.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i]!]))) };
}

/** The files of a ZIP archive, read from its central directory. */
export function readZip(bytes: Buffer): Map<string, Buffer> {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a ZIP archive');
  const entries = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (bytes.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory');
    const method = bytes.readUInt16LE(offset + 10);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const localOffset = bytes.readUInt32LE(offset + 42);
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

export async function pdfText(bytes: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
}

/** Fills drawn in a colour (`#rrggbb`) on every page: how a test sees that a chart was drawn. */
export async function pdfFillsInColour(bytes: Buffer, colour: string): Promise<number> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  let fills = 0;
  try {
    for (let page = 1; page <= doc.numPages; page++) {
      const ops = await (await doc.getPage(page)).getOperatorList();
      let current = '';
      ops.fnArray.forEach((fn, index) => {
        if (fn === OPS.setFillRGBColor) current = String(ops.argsArray[index]?.[0] ?? '').toLowerCase();
        if ((fn === OPS.fill || fn === OPS.eoFill || fn === OPS.constructPath) && current === colour) fills++;
      });
    }
  } finally {
    await doc.destroy();
  }
  return fills;
}

/** The chart colour of the PDF reports. */
export const CHART_COLOUR = '#2563eb';

export async function pollExport(admin: TestUser, exportId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/api/admin/exports/${exportId}`, { token: admin.token });
    if (res.status !== 200) throw new Error(`status failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.data.status === 'completed' || res.body.data.status === 'failed') return res.body.data;
    if (Date.now() > deadline) throw new Error(`export still ${res.body.data.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const today = (): string => new Date().toISOString().slice(0, 10);

export async function submitAssignment(student: TestUser, assignmentId: string, content = 'My answer') {
  const res = await api('POST', '/api/assignments/submit', { token: student.token, body: { assignmentId, submissionContent: content } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { submissionId: string };
}

export async function gradeSubmission(grader: TestUser, assignmentId: string, submissionId: string, grade: number) {
  const res = await api('POST', `/api/assignments/${assignmentId}/grade`, {
    token: grader.token,
    body: { submissionId, grade, feedback: 'Well done' },
  });
  if (res.status !== 200) throw new Error(`grade failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function completeLesson(student: TestUser, lessonId: string, timeSpent?: number) {
  const res = await api('POST', '/api/lessons/complete', {
    token: student.token,
    body: timeSpent === undefined ? { lessonId } : { lessonId, timeSpent },
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`complete failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** The audit rows of one action on one target, newest first. */
export async function auditRows(admin: TestUser, query: Record<string, string>) {
  const res = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { limit: 100, ...query } });
  if (res.status !== 200) throw new Error(`audit log failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as any[];
}

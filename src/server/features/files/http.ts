// The HTTP side of files: reading the one file of a multipart request as a stream, and answering a
// download with Content-Disposition, ETag / If-None-Match (304) and single byte ranges (206, 416).
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import type { ByteRange, Download } from './download.js';
import type { IncomingFile } from './service.js';

/** Room for the multipart framing around the file when comparing Content-Length with the limit. */
const MULTIPART_ALLOWANCE = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes; nothing was kept`);

/**
 * The request's file part, as a stream. A request announcing more bytes than the limit allows is
 * refused before any is read; one without a length is cut off at the limit while it streams.
 */
export async function readFilePart(request: FastifyRequest, maxBytes: number): Promise<IncomingFile> {
  if (!request.isMultipart()) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data, in a part named file');
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_ALLOWANCE) throw tooLarge(maxBytes);
  let part;
  try {
    part = await request.file({
      limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21, headerPairs: 100 },
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('BAD_REQUEST', 'The multipart/form-data body could not be read');
  }
  if (!part) throw new AppError('VALIDATION_ERROR', 'Invalid request: body.file is required', { 'body.file': 'is required' });
  // Browsers escape `"`, CR and LF in a multipart file name (WHATWG form-data encoding).
  const fileName = part.filename.replace(/%(22|0D|0A)/gi, (_match: string, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { stream: part.file, fileName };
}

/** `attachment` with an ASCII fallback name and the exact name in UTF-8 (RFC 6266 / 8187). */
export function contentDisposition(fileName: string): string {
  const fallback =
    fileName
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\/%;]/g, '_')
      .replace(/\s+/g, ' ')
      .trim() || 'download';
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** If-None-Match: `*` or a list of tags, compared weakly (RFC 9110 13.1.2). */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** The single range asked for; undefined to send the whole file (no, several, or malformed ranges). */
function requestedRange(request: FastifyRequest, download: Download): ByteRange | 'unsatisfiable' | undefined {
  const header = request.headers.range;
  if (!header) return undefined;
  // If-Range: the range only if the file is still the one the client has part of
  const ifRange = [request.headers['if-range']].flat()[0];
  if (ifRange && ifRange.trim() !== download.etag && ifRange.trim() !== download.lastModified.toUTCString()) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const { size } = download;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? Infinity : Number(match[2]);
  if (last < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

export async function sendDownload(request: FastifyRequest, reply: FastifyReply, download: Download) {
  reply
    .header('etag', download.etag)
    .header('last-modified', download.lastModified.toUTCString())
    .header('accept-ranges', 'bytes')
    // private: only the people allowed may read it; no-cache: revalidated with the ETag each time
    .header('cache-control', 'private, no-cache')
    .header('x-content-type-options', 'nosniff');
  if (noneMatch(request.headers['if-none-match'], download.etag)) return reply.status(304).send();
  const range = requestedRange(request, download);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${download.size}`);
    throw new AppError('RANGE_NOT_SATISFIABLE', `The range is outside the file, which has ${download.size} bytes`);
  }
  const type = download.contentType.startsWith('text/') ? `${download.contentType}; charset=utf-8` : download.contentType;
  reply.type(type).header('content-disposition', contentDisposition(download.fileName));
  if (range) {
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${download.size}`)
      .header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', download.size);
  }
  // HEAD: the headers only, so the file is not opened (an empty stream keeps the Content-Length set above)
  if (request.method === 'HEAD') return reply.send(Readable.from([]));
  return reply.send(await download.read(range));
}

// Lesson content (versioned Markdown), lesson media, uploads and downloads.
import { z } from 'zod';
import { dataEnvelope, Id, IsoDate, messageDataEnvelope } from './common.js';

/** The largest lesson body, in bytes of UTF-8. */
export const MAX_LESSON_MARKDOWN_BYTES = 200 * 1024;
/** How many versions a content answer lists (newest first); older ones stay readable with `?version=`. */
export const MAX_LISTED_VERSIONS = 100;

export const LessonIdParams = z.object({ lessonId: Id });
export const FileIdParams = z.object({ fileId: Id });

/** The path of an uploaded file, as `url` gives it. */
export const FILE_URL_PATTERN = /^\/api\/files\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * `fileUrl` of a submission: the `url` of the caller's own upload (`/api/files/<fileId>`), relative or on
 * this server's host.
 */
export const UploadedFileUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    if (FILE_URL_PATTERN.test(value)) return true;
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && FILE_URL_PATTERN.test(url.pathname) && !url.search;
    } catch {
      return false;
    }
  }, 'must be the url of a file you uploaded with POST /api/uploads (/api/files/<fileId>)');

// ---- lesson content

export const SaveLessonContentBody = z.object({
  body: z
    .string({ error: 'is required' })
    .refine((value) => value.trim().length > 0, 'is required')
    .refine(
      // in bytes, as stored; TextEncoder also runs in the browser
      (value) => new TextEncoder().encode(value).length <= MAX_LESSON_MARKDOWN_BYTES,
      `must be at most ${MAX_LESSON_MARKDOWN_BYTES} bytes`,
    )
    .describe('The lesson body in Markdown, at most 200 KB'),
  changeNote: z.string().trim().max(500, 'must be at most 500 characters').optional().describe('What changed in this version'),
});
export type SaveLessonContentBody = z.infer<typeof SaveLessonContentBody>;

export const LessonContentQuery = z.object({
  version: z.coerce
    .number({ error: 'must be a whole number of at least 1' })
    .int('must be a whole number of at least 1')
    .min(1, 'must be a whole number of at least 1')
    .optional()
    .describe('A version number; the latest when omitted'),
});
export type LessonContentQuery = z.infer<typeof LessonContentQuery>;

export const LessonContentVersionSummary = z.object({
  version: z.number().int(),
  createdAt: IsoDate,
  changeNote: z.string().nullable(),
});

export const LessonContent = z
  .object({
    lessonId: Id,
    version: z.number().int().describe('1, 2, 3, ... per lesson'),
    markdown: z.string().describe('As written by the instructor'),
    html: z.string().describe('Rendered from the Markdown and sanitised: no scripts, event handlers or javascript: URLs'),
    createdAt: IsoDate,
    createdBy: Id.nullable().describe('The author of this version; null once their account is gone'),
    totalVersions: z.number().int(),
    versions: z
      .array(LessonContentVersionSummary)
      .describe(`Newest first, at most ${MAX_LISTED_VERSIONS}; every version can be read with ?version=`),
  })
  .meta({ id: 'LessonContent' });
export type LessonContent = z.infer<typeof LessonContent>;

export const LessonContentResponse = dataEnvelope(LessonContent);
export const SaveLessonContentResponse = messageDataEnvelope(LessonContent);

// ---- uploads

export const UploadedFile = z
  .object({
    fileId: Id,
    fileName: z.string().describe('The name sent, without any folder part'),
    size: z.number().int().describe('bytes'),
    contentType: z.string().describe('Read from the bytes, not from the name'),
    url: z.string().describe('`/api/files/<fileId>`'),
  })
  .meta({ id: 'UploadedFile' });
export type UploadedFile = z.infer<typeof UploadedFile>;

export const UploadResponse = dataEnvelope(UploadedFile);

export const LessonMediaFile = UploadedFile.extend({
  sha256: z.string().describe('hex'),
  createdAt: IsoDate,
}).meta({ id: 'LessonMediaFile' });
export type LessonMediaFile = z.infer<typeof LessonMediaFile>;

export const LessonMediaListResponse = dataEnvelope(z.array(LessonMediaFile).describe('Oldest first'));

/** The multipart body of an upload, for the OpenAPI document (the stream itself is read by the route). */
export const MultipartFileBody = z
  .object({ file: z.file().describe('The file; one per request') })
  .describe('multipart/form-data with one file part');

export const LessonDownloadQuery = z.object({
  fileId: Id.optional().describe("One of the lesson's media files instead of the whole lesson as a ZIP"),
});
export type LessonDownloadQuery = z.infer<typeof LessonDownloadQuery>;

/** Headers a download honours. */
export const DownloadHeaders = z.looseObject({
  range: z.string().optional().describe('One byte range, `bytes=start-end`, `bytes=start-` or `bytes=-suffix`'),
  'if-none-match': z.string().optional().describe('An ETag from an earlier download: 304 when unchanged'),
  'if-range': z.string().optional().describe('Honour Range only while the ETag still matches'),
});

const binary = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: z.string().describe('The bytes, with the stored Content-Type') } },
});

export const FileDownloadResponse = binary(
  'The file (`Content-Disposition: attachment`, `ETag` = its sha-256, `Accept-Ranges: bytes`)',
);
export const PartialFileResponse = binary('The requested byte range, with `Content-Range`');
export const NotModifiedResponse = z.null().describe('Not modified: the ETag sent in If-None-Match still matches (no body)');
export const LessonDownloadResponse = {
  description: 'The lesson as a ZIP (`lesson.md`, `media/...`), or one media file with `?fileId=`',
  content: {
    'application/zip': { schema: z.string().describe('lesson.md (the latest content) and every media file') },
    'application/octet-stream': { schema: z.string().describe('One media file, with its stored Content-Type') },
  },
};

// Lesson content (versioned Markdown), lesson media, uploads, and who may download what. Knows
// nothing of HTTP: files arrive as streams and leave as `Download`s.
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { and, asc, count, desc, eq, inArray, max, sql } from 'drizzle-orm';
import {
  FILE_URL_PATTERN,
  type LessonContent,
  type LessonMediaFile,
  MAX_LISTED_VERSIONS,
  type SaveLessonContentBody,
  type UploadedFile,
} from '../../../contract/files.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import { assignmentSubmissions, courses, lessonContentVersions, lessons, uploads } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { findActiveEnrollment, isCourseStaff } from '../courses/policy.js';
import { iso } from '../users/presenter.js';
import { type Download, zipDownload, type ZipEntry } from './download.js';
import { renderLessonMarkdown } from './markdown.js';
import { defaultExtension, extensionOf } from './sniff.js';
import type { FileStore, ReceivedFile } from './storage.js';

export interface FilesServiceDeps {
  db: Database;
  store: FileStore;
  /** UPLOAD_MAX_BYTES */
  maxUploadBytes: number;
}

/** A file as the client sent it: the bytes as a stream, and the name it claims. */
export interface IncomingFile {
  stream: Readable;
  fileName: string;
}

type UploadRow = typeof uploads.$inferSelect;
type VersionRow = typeof lessonContentVersions.$inferSelect;
type LessonWithCourse = typeof lessons.$inferSelect & { instructorId: string; courseTitle: string };

export const fileUrlOf = (fileId: string): string => `/api/files/${fileId}`;

const MAX_FILE_NAME_BYTES = 255;

/**
 * The name to keep: the last part of any path, without control characters or characters that are
 * reserved in file names on common systems, at most 255 bytes (the extension kept); never empty.
 */
export function cleanFileName(sent: string, fallbackExtension: string): string {
  let name = sent.normalize('NFC').split(/[/\\]/).pop() ?? '';
  name = name
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (!name) return `file.${fallbackExtension}`;
  if (Buffer.byteLength(name) <= MAX_FILE_NAME_BYTES) return name;
  const extension = extensionOf(name);
  const suffix = extension ? `.${extension}` : '';
  let stem = name.slice(0, name.length - suffix.length);
  while (Buffer.byteLength(stem + suffix) > MAX_FILE_NAME_BYTES) stem = [...stem].slice(0, -1).join('');
  return stem + suffix;
}

const presentUpload = (row: UploadRow): UploadedFile => ({
  fileId: row.id,
  fileName: row.fileName,
  size: row.size,
  contentType: row.contentType,
  url: fileUrlOf(row.id),
});

const presentMedia = (row: UploadRow): LessonMediaFile => ({ ...presentUpload(row), sha256: row.sha256, createdAt: iso(row.createdAt) });

async function findLessonWithCourse(db: Executor, lessonId: string): Promise<LessonWithCourse> {
  const [row] = await db
    .select({ lesson: lessons, instructorId: courses.instructorId, courseTitle: courses.title })
    .from(lessons)
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .where(eq(lessons.id, lessonId))
    .limit(1);
  if (!row) throw new AppError('LESSON_NOT_FOUND', 'Lesson not found');
  return { ...row.lesson, instructorId: row.instructorId, courseTitle: row.courseTitle };
}

/** Locks the lesson row for the rest of the transaction; 404 when it is gone. */
async function lockLesson(tx: Executor, lessonId: string, strength: 'no key update' | 'key share'): Promise<void> {
  const [row] = await tx.select({ id: lessons.id }).from(lessons).where(eq(lessons.id, lessonId)).for(strength).limit(1);
  if (!row) throw new AppError('LESSON_NOT_FOUND', 'Lesson not found');
}

const assertLessonStaff = (user: AuthUser, lesson: LessonWithCourse): void => {
  if (!isCourseStaff(user, lesson)) throw new AppError('FORBIDDEN', 'Only the course instructor or an admin can do this');
};

/** The lesson's readers: its course's staff and actively enrolled students. */
async function canReadLesson(db: Executor, user: AuthUser, lesson: LessonWithCourse): Promise<boolean> {
  return isCourseStaff(user, lesson) || Boolean(await findActiveEnrollment(db, user.id, lesson.courseId));
}

async function assertCanReadLesson(db: Executor, user: AuthUser, lesson: LessonWithCourse): Promise<void> {
  if (!(await canReadLesson(db, user, lesson))) {
    throw new AppError('NOT_ENROLLED', 'You must be enrolled in this course to see its lessons');
  }
}

/**
 * May the user download this upload? Its owner and admins always; lesson media: the lesson's readers;
 * a submission file: the staff of a course where the owner's submission references it.
 */
async function canReadUpload(db: Executor, user: AuthUser, upload: UploadRow): Promise<boolean> {
  if (upload.ownerId === user.id || user.role === 'admin') return true;
  if (upload.purpose === 'lesson_media') {
    return upload.lessonId !== null && canReadLesson(db, user, await findLessonWithCourse(db, upload.lessonId));
  }
  if (user.role !== 'instructor') return false;
  const rows = await queryRows<{ ok: number }>(db, sql`
    select 1 as ok from ${assignmentSubmissions} s join ${courses} c on c.id = s.course_id
    where s.student_id = ${upload.ownerId} and s.file_url = ${fileUrlOf(upload.id)} and c.instructor_id = ${user.id}
    limit 1`);
  return rows.length > 0;
}

/** The fileId in `/api/files/<id>` or `http(s)://host/api/files/<id>`, or undefined. */
export function fileIdFromUrl(fileUrl: string): string | undefined {
  const direct = FILE_URL_PATTERN.exec(fileUrl);
  if (direct) return direct[1]!.toLowerCase();
  try {
    const url = new URL(fileUrl);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search) return undefined;
    return FILE_URL_PATTERN.exec(url.pathname)?.[1]?.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * A submission's `fileUrl` must be the user's own upload made for a submission (POST /api/uploads):
 * 400 when it names no such upload, 403 when the upload is someone else's. Gives the canonical url
 * and the upload's file name, which is what the submission keeps.
 */
export async function resolveOwnUpload(
  db: Executor,
  userId: string,
  fileUrl: string,
): Promise<{ fileId: string; url: string; fileName: string }> {
  const invalid = (message: string) => new AppError('VALIDATION_ERROR', `Invalid request: body.fileUrl ${message}`, { 'body.fileUrl': message });
  const fileId = fileIdFromUrl(fileUrl);
  if (!fileId) throw invalid('must be the url of a file you uploaded with POST /api/uploads (/api/files/<fileId>)');
  const [upload] = await db.select().from(uploads).where(eq(uploads.id, fileId)).limit(1);
  if (!upload) throw invalid('does not name an uploaded file');
  if (upload.purpose !== 'submission') throw invalid('must be a file uploaded with POST /api/uploads');
  if (upload.ownerId !== userId) throw new AppError('FORBIDDEN', 'fileUrl must be a file you uploaded yourself');
  return { fileId: upload.id, url: fileUrlOf(upload.id), fileName: upload.fileName };
}

const quoteEtag = (value: string): string => `"${value}"`;

export function createFilesService({ db, store, maxUploadBytes }: FilesServiceDeps) {
  async function presentContent(executor: Executor, lessonId: string, row: VersionRow): Promise<LessonContent> {
    const [total] = await executor
      .select({ value: count() })
      .from(lessonContentVersions)
      .where(eq(lessonContentVersions.lessonId, lessonId));
    const versions = await executor
      .select({
        version: lessonContentVersions.version,
        createdAt: lessonContentVersions.createdAt,
        changeNote: lessonContentVersions.changeNote,
      })
      .from(lessonContentVersions)
      .where(eq(lessonContentVersions.lessonId, lessonId))
      .orderBy(desc(lessonContentVersions.version))
      .limit(MAX_LISTED_VERSIONS);
    return {
      lessonId,
      version: row.version,
      markdown: row.markdown,
      html: renderLessonMarkdown(row.markdown),
      createdAt: iso(row.createdAt),
      createdBy: row.createdBy,
      totalVersions: total?.value ?? 0,
      versions: versions.map((v) => ({ version: v.version, createdAt: iso(v.createdAt), changeNote: v.changeNote })),
    };
  }

  /** Receives the file, then records it and moves it into place in one transaction; on any failure nothing is kept. */
  async function storeUpload(
    user: AuthUser,
    target: { purpose: 'lesson_media' | 'submission'; lessonId: string | null },
    incoming: IncomingFile,
  ): Promise<UploadRow> {
    const received: ReceivedFile = await store.receive(incoming.stream, { fileName: incoming.fileName, maxBytes: maxUploadBytes });
    const fileId = randomUUID();
    const storagePath = fileId;
    try {
      return await db.transaction(async (tx) => {
        // the lesson may have been deleted while the file was arriving; it cannot be while this runs
        if (target.lessonId) await lockLesson(tx, target.lessonId, 'key share');
        const [row] = await tx
          .insert(uploads)
          .values({
            id: fileId,
            ownerId: user.id,
            lessonId: target.lessonId,
            purpose: target.purpose,
            fileName: cleanFileName(incoming.fileName, defaultExtension(received.type)),
            contentType: received.type.contentType,
            size: received.size,
            sha256: received.sha256,
            storagePath,
          })
          .returning();
        await recordAudit(tx, user, {
          action: target.purpose === 'lesson_media' ? 'lesson_media.create' : 'upload.create',
          targetType: target.purpose === 'lesson_media' ? 'lesson_media' : 'upload',
          targetId: fileId,
          after: {
            fileName: row!.fileName,
            contentType: row!.contentType,
            size: row!.size,
            sha256: row!.sha256,
            ...(target.lessonId ? { lessonId: target.lessonId } : {}),
          },
        });
        // last, so that a failed move rolls the row back
        await store.keep(received, storagePath);
        return row!;
      });
    } catch (error) {
      await store.discard(received.tempPath);
      await store.discard(store.pathOf(storagePath));
      throw error;
    }
  }

  function storedDownload(row: UploadRow): Download {
    return {
      fileName: row.fileName,
      contentType: row.contentType,
      size: row.size,
      etag: quoteEtag(row.sha256),
      lastModified: row.createdAt,
      read: async (range) => {
        const handle = await store.open(row.storagePath);
        return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      },
    };
  }

  return {
    /** Deletes stored files whose upload row is gone (cascaded away with a lesson, course or user). */
    async sweepOrphans(): Promise<number> {
      return store.sweepOrphans(async (ids) => {
        const rows = await db.select({ id: uploads.id }).from(uploads).where(inArray(uploads.id, ids));
        return new Set(rows.map((row) => row.id));
      });
    },

    /** Stores a new version of the lesson's body (the course's instructor or an admin). */
    async saveContent(user: AuthUser, lessonId: string, body: SaveLessonContentBody): Promise<LessonContent> {
      return db.transaction(async (tx) => {
        // One writer at a time per lesson, so that version numbers never collide.
        await lockLesson(tx, lessonId, 'no key update');
        const lesson = await findLessonWithCourse(tx, lessonId);
        assertLessonStaff(user, lesson);
        const [latest] = await tx
          .select({ value: max(lessonContentVersions.version) })
          .from(lessonContentVersions)
          .where(eq(lessonContentVersions.lessonId, lessonId));
        const version = (latest?.value ?? 0) + 1;
        const [row] = await tx
          .insert(lessonContentVersions)
          .values({ lessonId, version, markdown: body.body, changeNote: body.changeNote || null, createdBy: user.id })
          .returning();
        await recordAudit(tx, user, {
          action: 'lesson_content.create',
          targetType: 'lesson',
          targetId: lessonId,
          before: latest?.value ? { version: latest.value } : null,
          after: {
            version,
            changeNote: row!.changeNote,
            bytes: Buffer.byteLength(body.body),
            sha256: createHash('sha256').update(body.body).digest('hex'),
          },
        });
        return presentContent(tx, lessonId, row!);
      });
    },

    /** The latest version, or the one asked for: the lesson's staff and enrolled students. */
    async getContent(user: AuthUser, lessonId: string, version: number | undefined): Promise<LessonContent> {
      const lesson = await findLessonWithCourse(db, lessonId);
      await assertCanReadLesson(db, user, lesson);
      const [row] = await db
        .select()
        .from(lessonContentVersions)
        .where(
          and(
            eq(lessonContentVersions.lessonId, lessonId),
            version === undefined ? undefined : eq(lessonContentVersions.version, version),
          ),
        )
        .orderBy(desc(lessonContentVersions.version))
        .limit(1);
      if (!row) {
        throw new AppError(
          'CONTENT_NOT_FOUND',
          version === undefined ? 'This lesson has no content yet' : `This lesson has no version ${version}`,
        );
      }
      return presentContent(db, lessonId, row);
    },

    /** Media may be added by the course's instructor or an admin: checked before any byte is read. */
    async assertCanAddMedia(user: AuthUser, lessonId: string): Promise<void> {
      assertLessonStaff(user, await findLessonWithCourse(db, lessonId));
    },

    async addMedia(user: AuthUser, lessonId: string, incoming: IncomingFile): Promise<UploadedFile> {
      assertLessonStaff(user, await findLessonWithCourse(db, lessonId));
      return presentUpload(await storeUpload(user, { purpose: 'lesson_media', lessonId }, incoming));
    },

    /** A file for the user's own submissions (any signed-in user). */
    async addUpload(user: AuthUser, incoming: IncomingFile): Promise<UploadedFile> {
      return presentUpload(await storeUpload(user, { purpose: 'submission', lessonId: null }, incoming));
    },

    async listMedia(user: AuthUser, lessonId: string): Promise<LessonMediaFile[]> {
      const lesson = await findLessonWithCourse(db, lessonId);
      await assertCanReadLesson(db, user, lesson);
      const rows = await db
        .select()
        .from(uploads)
        .where(and(eq(uploads.lessonId, lessonId), eq(uploads.purpose, 'lesson_media')))
        .orderBy(asc(uploads.createdAt), asc(uploads.id));
      return rows.map(presentMedia);
    },

    async file(user: AuthUser, fileId: string): Promise<Download> {
      const [row] = await db.select().from(uploads).where(eq(uploads.id, fileId)).limit(1);
      if (!row) throw new AppError('FILE_NOT_FOUND', 'File not found');
      if (!(await canReadUpload(db, user, row))) throw new AppError('FORBIDDEN', 'You may not download this file');
      return storedDownload(row);
    },

    /** One media file of the lesson, or the whole lesson as a ZIP: the lesson's staff and enrolled students. */
    async lessonDownload(user: AuthUser, lessonId: string, fileId: string | undefined): Promise<Download> {
      const lesson = await findLessonWithCourse(db, lessonId);
      await assertCanReadLesson(db, user, lesson);
      const media = await db
        .select()
        .from(uploads)
        .where(and(eq(uploads.lessonId, lessonId), eq(uploads.purpose, 'lesson_media')))
        .orderBy(asc(uploads.createdAt), asc(uploads.id));
      if (fileId !== undefined) {
        const row = media.find((m) => m.id === fileId);
        if (!row) throw new AppError('FILE_NOT_FOUND', 'This lesson has no such media file');
        return storedDownload(row);
      }
      const [latest] = await db
        .select()
        .from(lessonContentVersions)
        .where(eq(lessonContentVersions.lessonId, lessonId))
        .orderBy(desc(lessonContentVersions.version))
        .limit(1);
      // Before any content is written, the lesson's title and description stand in for it.
      const markdown = Buffer.from(latest ? latest.markdown : `# ${lesson.title}\n\n${lesson.description}\n`, 'utf8');
      const entries: ZipEntry[] = [{ name: 'lesson.md', size: markdown.length, mtime: latest?.createdAt ?? lesson.updatedAt, content: markdown }];
      const taken = new Set(['lesson.md']);
      for (const row of media) {
        entries.push({
          name: uniqueEntryName(`media/${row.fileName}`, taken),
          size: row.size,
          mtime: row.createdAt,
          content: async () => (await store.open(row.storagePath)).createReadStream(),
        });
      }
      // Equal inputs give equal archive bytes (see zipDownload), so a digest of the inputs is a strong ETag.
      const inputs = {
        format: 1,
        title: lesson.title,
        markdown: createHash('sha256').update(markdown).digest('hex'),
        entries: entries.map((e) => [e.name, e.size, e.mtime.getTime()]),
        media: media.map((m) => m.sha256),
      };
      const fingerprint = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
      const lastModified = new Date(Math.max(...entries.map((e) => e.mtime.getTime())));
      return zipDownload({ fileName: `${lesson.title}.zip`, contentType: 'application/zip', etag: quoteEtag(fingerprint), lastModified }, entries);
    },
  };
}

/** `media/a.png`, then `media/a (2).png`, ...: names inside one archive must differ. */
function uniqueEntryName(name: string, taken: Set<string>): string {
  let candidate = name;
  const extension = extensionOf(name);
  const stem = extension ? name.slice(0, -(extension.length + 1)) : name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension ? `.${extension}` : ''}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

export type FilesService = ReturnType<typeof createFilesService>;

// Where uploaded bytes live: DATA_DIR/uploads/<fileId>. A file is streamed to a temporary file in
// DATA_DIR/uploads/.tmp (same file system, so the final rename is atomic) while it is hashed, counted and
// its type read from its first bytes; it is never held whole in memory. Whatever goes wrong, the
// temporary file is removed.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../http/errors.js';
import { hasControlBytes, SNIFF_BYTES, sniff, type SniffedType } from './sniff.js';

/** A file received in full and checked, waiting in the temporary folder to be kept or dropped. */
export interface ReceivedFile {
  tempPath: string;
  size: number;
  sha256: string;
  type: SniffedType;
}

const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
const ORPHAN_AGE_MS = 60 * 60 * 1000;
/** Stored files are named by their upload's id. */
const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);
// A client that stops sending, or whose connection drops, mid-file.
const INTERRUPTED = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'FST_REQ_PREMATURE_CLOSE']);

const tooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes; nothing was kept`);
const notAllowed = () =>
  new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    'This kind of file cannot be uploaded, or its content does not match its name. Allowed: PNG, JPEG, GIF, WebP, PDF, MP4, WebM, MP3, Ogg, WAV, ZIP, plain text and Markdown',
  );

/** Any failure while storing, as the error the client gets. */
function storageFailure(error: unknown, maxBytes: number): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  // the multipart parser's own size limit (it stops at the same number of bytes)
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (typeof code === 'string' && DISK_FULL.has(code)) {
    return new AppError('INSUFFICIENT_STORAGE', 'There is no room left to store the file; nothing was kept');
  }
  const message = error instanceof Error ? error.message : '';
  if ((typeof code === 'string' && INTERRUPTED.has(code)) || /unexpected end|terminated early|premature/i.test(message)) {
    return new AppError('BAD_REQUEST', 'The upload ended before the whole file was received; nothing was kept');
  }
  const failure = new AppError('INTERNAL_ERROR', 'The file could not be stored; nothing was kept');
  failure.cause = error;
  return failure;
}

export function createFileStore(dataDir: string) {
  const root = join(dataDir, 'uploads');
  const tempDir = join(root, '.tmp');

  /** Reads the stream to a temporary file; refuses (and deletes) it as soon as it is too large or not allowed. */
  async function receive(source: Readable, options: { fileName: string; maxBytes: number }): Promise<ReceivedFile> {
    const { fileName, maxBytes } = options;
    const tempPath = join(tempDir, randomUUID());
    const hash = createHash('sha256');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    let type: SniffedType | undefined;

    const decide = () => {
      type = sniff(Buffer.concat(head, headBytes), fileName, decoder);
      head.length = 0;
      if (!type) throw notAllowed();
    };
    // A text file must be text to its last byte, not only in its head.
    const checkText = (chunk: Buffer, final: boolean) => {
      try {
        if (hasControlBytes(chunk)) throw notAllowed();
        decoder.decode(chunk, { stream: !final });
      } catch (error) {
        throw error instanceof AppError ? error : notAllowed();
      }
    };
    const inspect = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        try {
          size += chunk.length;
          if (size > maxBytes) throw tooLarge(maxBytes);
          hash.update(chunk);
          if (!type) {
            head.push(chunk);
            headBytes += chunk.length;
            if (headBytes >= SNIFF_BYTES) decide();
          } else if (type.text) {
            checkText(chunk, false);
          }
          callback(null, chunk);
        } catch (error) {
          callback(error as Error);
        }
      },
      flush(callback) {
        try {
          if (size === 0) throw new AppError('VALIDATION_ERROR', 'The file is empty', { 'body.file': 'must not be empty' });
          if (!type) decide();
          if (type?.text) checkText(Buffer.alloc(0), true);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    });

    try {
      await mkdir(tempDir, { recursive: true });
      await pipeline(source, inspect, createWriteStream(tempPath, { flags: 'wx' }));
      // the multipart parser stops a file at its limit without an error when told not to throw
      if ((source as Readable & { truncated?: boolean }).truncated) throw tooLarge(maxBytes);
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      throw storageFailure(error, maxBytes);
    }
    return { tempPath, size, sha256: hash.digest('hex'), type: type! };
  }

  return {
    root,

    receive,

    /** Moves a received file to its final place, `storagePath` (relative to the uploads folder). */
    async keep(received: ReceivedFile, storagePath: string): Promise<void> {
      try {
        await rename(received.tempPath, join(root, storagePath));
      } catch (error) {
        await rm(received.tempPath, { force: true }).catch(() => undefined);
        throw storageFailure(error, 0);
      }
    },

    /** Removes a file that is not (or no longer) recorded; never fails. */
    async discard(path: string): Promise<void> {
      await rm(path, { force: true }).catch(() => undefined);
    },

    pathOf: (storagePath: string): string => join(root, storagePath),

    /** Opens a stored file for reading; a 500 with a clear message when its bytes are gone. */
    async open(storagePath: string): Promise<FileHandle> {
      try {
        return await open(join(root, storagePath), 'r');
      } catch (error) {
        const failure = new AppError('INTERNAL_ERROR', "The stored file's content is missing");
        failure.cause = error;
        throw failure;
      }
    },

    async exists(storagePath: string): Promise<boolean> {
      return stat(join(root, storagePath)).then(
        (info) => info.isFile(),
        () => false,
      );
    },

    /**
     * Removes stored files that no upload row names any more (their lesson, course or owner was
     * deleted). Only files an hour old: a new file is moved into place just before its row commits.
     */
    async sweepOrphans(knownIds: (ids: string[]) => Promise<Set<string>>, now = Date.now()): Promise<number> {
      const names = (await readdir(root).catch(() => [] as string[])).filter((name) => FILE_ID.test(name));
      let removed = 0;
      for (let i = 0; i < names.length; i += 500) {
        const batch = names.slice(i, i + 500);
        const known = await knownIds(batch);
        for (const name of batch) {
          if (known.has(name)) continue;
          const info = await stat(join(root, name)).catch(() => undefined);
          if (info?.isFile() && now - info.mtimeMs > ORPHAN_AGE_MS) {
            await rm(join(root, name), { force: true }).catch(() => undefined);
            removed++;
          }
        }
      }
      return removed;
    },

    /** Removes temporary files left by a process that stopped mid-upload (a day old, so never one still being written). */
    async sweepTemporary(now = Date.now()): Promise<void> {
      const names = await readdir(tempDir).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(tempDir, name);
        const info = await stat(path).catch(() => undefined);
        if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true }).catch(() => undefined);
      }
    },
  };
}

export type FileStore = ReturnType<typeof createFileStore>;

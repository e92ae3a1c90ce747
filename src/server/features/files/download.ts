// Something to download: its metadata up front, its bytes (or a byte range of them) as a stream read
// on demand. Stored files and lesson ZIPs both take this shape, so one place answers ETag, Range and
// Content-Disposition for every download.
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import yazl from 'yazl';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface Download {
  fileName: string;
  contentType: string;
  size: number;
  /** A strong validator: equal tags mean equal bytes. */
  etag: string;
  lastModified: Date;
  read(range?: ByteRange): Promise<Readable>;
}

/** The bytes of `source` from `start` to `end` (inclusive); the source is read to its end either way. */
function sliceStream(source: Readable, { start, end }: ByteRange): Readable {
  async function* slice() {
    let position = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const from = Math.max(start - position, 0);
      const to = Math.min(end + 1 - position, chunk.length);
      if (to > from) yield chunk.subarray(from, to);
      position += chunk.length;
    }
  }
  return ReadableStream.from(slice(), { objectMode: false });
}

export interface ZipEntry {
  /** The path inside the archive. */
  name: string;
  size: number;
  mtime: Date;
  /** The entry's bytes: a buffer, or a stream opened only when the archive reaches it. */
  content: Buffer | (() => Promise<Readable>);
}

/**
 * A ZIP built while it is sent. Entries are stored, not deflated (media is compressed already), and
 * carry fixed dates, so the archive's size is known before the first byte and equal inputs give equal
 * bytes: that is what makes its ETag strong and byte ranges possible.
 */
export async function zipDownload(meta: Omit<Download, 'read' | 'size'>, entries: ZipEntry[]): Promise<Download> {
  /** `probe`: an archive that is never read, only asked for its size; it opens no entry. */
  const build = (probe: boolean) => {
    const zip = new yazl.ZipFile();
    for (const entry of entries) {
      const options = { mtime: entry.mtime, compress: false, size: entry.size };
      const { content } = entry;
      if (Buffer.isBuffer(content)) zip.addBuffer(content, entry.name, { mtime: entry.mtime, compress: false });
      else if (probe) zip.addReadStreamLazy(entry.name, options, () => undefined);
      else {
        zip.addReadStreamLazy(entry.name, options, (callback) => {
          content().then(
            (stream) => callback(null, stream),
            (error: unknown) => callback(error, undefined as unknown as Readable),
          );
        });
      }
    }
    return zip;
  };
  // Computed from the entries' names and sizes, without reading any of them.
  const size = await new Promise<number>((resolve) => {
    // the published typings leave out the callback's argument
    const probe = build(true);
    (probe.end as (options: object, callback: (total: number) => void) => void).call(probe, {}, resolve);
  });
  return {
    ...meta,
    size,
    read: async (range) => {
      const zip = build(false);
      const output = zip.outputStream as Readable;
      // a file that vanished or changed size mid-archive ends the response instead of the process
      zip.on('error', (error: Error) => output.destroy(error));
      zip.end();
      return range ? sliceStream(output, range) : output;
    },
  };
}

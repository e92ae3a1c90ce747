// Background data exports. A request creates a job row and returns at once; the job runs in this
// process (at most EXPORT_CONCURRENCY at a time), reading each entity in keyset batches and streaming
// them into DATA_DIR/exports, so memory stays flat however large the data.
//
// Restarts: a running job refreshes `heartbeatAt` every few seconds. When a process starts, it runs
// again every job left `queued`, and every `running` job whose heartbeat has stopped (on the embedded
// database, which only one process can open, every `running` job). A sweep repeats this while the
// process runs, so that on PostgreSQL a job of an instance that died is taken over by another. A job
// interrupted MAX_ATTEMPTS times is marked failed. Claiming a job is one conditional UPDATE, so two
// instances never run the same job.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { ZipFile } from 'yazl';
import type { CreateExportBody, ExportCreated, ExportEntity, ExportJob, ExportListQuery } from '../../../contract/reports.js';
import type { Pagination } from '../../../contract/common.js';
import type { Database } from '../../db/client.js';
import { exportJobs, users } from '../../db/schema.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { presentSummary } from '../users/presenter.js';
import { type CsvValue, csvLine } from './csv.js';
import { entityBatches, entityColumns, type ExportRow } from './entities.js';
import { parseUpperBound, type TimeRange } from './range.js';

export const EXPORT_CONCURRENCY = 2;
export const MAX_ATTEMPTS = 3;
const HEARTBEAT_MS = 5_000;
/** A running job whose heartbeat is older than this belongs to a process that is gone. */
const STALE_MS = 60_000;
const SWEEP_MS = 30_000;

type JobRow = typeof exportJobs.$inferSelect;

export interface ExportLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  size: number;
  body: Readable;
}

const extension = (job: Pick<JobRow, 'format' | 'params'>): string =>
  job.format === 'json' ? 'json' : job.params.entities.length === 1 ? 'csv' : 'zip';

const contentTypes: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  zip: 'application/zip',
};

const statusUrl = (id: string): string => `/api/admin/exports/${id}`;

function presentJob(job: JobRow, requester: Parameters<typeof presentSummary>[0] | null): ExportJob {
  const completed = job.status === 'completed';
  return {
    exportId: job.id,
    status: job.status,
    entities: job.params.entities as ExportEntity[],
    format: job.format,
    ...(job.params.from ? { from: job.params.from } : {}),
    ...(job.params.to ? { to: job.params.to } : {}),
    requestedBy: requester ? presentSummary(requester) : null,
    ...(completed && job.fileName ? { fileName: job.fileName } : {}),
    ...(completed && job.size !== null ? { size: job.size } : {}),
    ...(completed && job.rowCounts ? { rowCounts: job.rowCounts } : {}),
    ...(job.status === 'failed' && job.error ? { error: job.error } : {}),
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    ...(job.startedAt ? { startedAt: job.startedAt.toISOString() } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    statusUrl: statusUrl(job.id),
    ...(completed ? { downloadUrl: `${statusUrl(job.id)}/download` } : {}),
  };
}

/** Rows as CSV values: dates as ISO 8601, anything structured as JSON. */
function csvValue(value: unknown): CsvValue {
  if (value === null || value === undefined || value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

class ShutdownError extends Error {}
/** Another process took the job over (this one stalled past STALE_MS): stop without touching the job. */
class SupersededError extends Error {}

export function createExportService(deps: { db: Database; dataDir: string; embedded: boolean; log: ExportLogger }) {
  const { db, log } = deps;
  const directory = join(deps.dataDir, 'exports');
  const fileFor = (job: Pick<JobRow, 'id' | 'format' | 'params'>) => join(directory, `${job.id}.${extension(job)}`);

  const waiting: string[] = [];
  const scheduled = new Set<string>();
  // Jobs found by a sweep are claimed with the sweep's idea of stale (see start()).
  const scheduledStale = new Map<string, Date>();
  const running = new Map<string, Promise<void>>();
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;

  function schedule(id: string): void {
    if (closing || scheduled.has(id)) return;
    scheduled.add(id);
    waiting.push(id);
    pump();
  }

  function pump(): void {
    while (!closing && running.size < EXPORT_CONCURRENCY && waiting.length > 0) {
      const id = waiting.shift()!;
      const staleBefore = scheduledStale.get(id);
      scheduledStale.delete(id);
      const done = claimAndRun(id, staleBefore)
        .catch((error: unknown) => log.error({ err: error, exportId: id }, 'export job crashed'))
        .finally(() => {
          running.delete(id);
          scheduled.delete(id);
          pump();
        });
      running.set(id, done);
    }
  }

  /** Takes the job if nobody runs it: queued, or running with a heartbeat older than `staleBefore`. */
  async function claim(id: string, staleBefore: Date): Promise<JobRow | undefined> {
    const [job] = await db
      .update(exportJobs)
      .set({ status: 'running', attempts: sql`${exportJobs.attempts} + 1`, startedAt: new Date(), heartbeatAt: new Date(), error: null })
      .where(
        and(
          eq(exportJobs.id, id),
          or(
            eq(exportJobs.status, 'queued'),
            and(eq(exportJobs.status, 'running'), or(isNull(exportJobs.heartbeatAt), lt(exportJobs.heartbeatAt, staleBefore))),
          ),
        ),
      )
      .returning();
    return job;
  }

  const staleSince = (): Date => new Date(Date.now() - STALE_MS);

  async function claimAndRun(id: string, staleBefore = staleSince()): Promise<void> {
    const job = await claim(id, staleBefore);
    if (!job) return;
    if (job.attempts > MAX_ATTEMPTS) {
      await finishJob(job, { status: 'failed', error: `The export was interrupted ${MAX_ATTEMPTS} times and was given up` });
      return;
    }
    const target = fileFor(job);
    // One partial file per attempt: a run taken over from a stalled process never shares its file.
    const partial = `${target}.${job.attempts}.part`;
    // What an interrupted attempt (kill -9) left behind.
    for (let attempt = 1; attempt < job.attempts; attempt++) await rm(`${target}.${attempt}.part`, { force: true });
    try {
      await mkdir(directory, { recursive: true });
      const rowCounts = await writeExport(job, partial);
      await rename(partial, target);
      const { size } = await stat(target);
      const day = new Date().toISOString().slice(0, 10);
      await finishJob(job, {
        status: 'completed',
        fileName: `skilled-export-${day}-${job.id.slice(0, 8)}.${extension(job)}`,
        size,
        rowCounts,
      });
      log.info({ exportId: job.id, size, rowCounts }, 'export completed');
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof SupersededError) return;
      if (error instanceof ShutdownError) {
        // Not the job's fault: give the attempt back, and let the next start (or another instance) run it.
        await db
          .update(exportJobs)
          .set({ status: 'queued', heartbeatAt: null, attempts: sql`greatest(${exportJobs.attempts} - 1, 0)` })
          .where(ownRun(job));
        return;
      }
      log.error({ err: error, exportId: job.id }, 'export failed');
      await finishJob(job, { status: 'failed', error: 'The export could not be written; see the server log for the cause' });
    }
  }

  /** The attempt number is the run's token: a run that was taken over can no longer change the job. */
  const ownRun = (job: Pick<JobRow, 'id' | 'attempts'>) =>
    and(eq(exportJobs.id, job.id), eq(exportJobs.status, 'running'), eq(exportJobs.attempts, job.attempts));

  async function finishJob(job: JobRow, values: Partial<Pick<JobRow, 'status' | 'fileName' | 'size' | 'rowCounts' | 'error'>>) {
    await db
      .update(exportJobs)
      .set({ ...values, finishedAt: new Date(), heartbeatAt: new Date() })
      .where(ownRun(job));
  }

  /** Writes every entity to `path`; answers the number of rows written per entity. */
  async function writeExport(job: JobRow, path: string): Promise<Record<string, number>> {
    const entities = job.params.entities as ExportEntity[];
    const range: Partial<TimeRange> = {
      ...(job.params.from ? { from: new Date(job.params.from) } : {}),
      ...(job.params.to ? { to: parseUpperBound(job.params.to) } : {}),
    };
    const rowCounts: Record<string, number> = Object.fromEntries(entities.map((entity) => [entity, 0]));
    let lastBeat = Date.now();

    /** The entity's batches, counted, with a heartbeat and a stop when the process shuts down. */
    async function* batches(entity: ExportEntity): AsyncGenerator<ExportRow[]> {
      for await (const batch of entityBatches(db, entity, range)) {
        if (closing) throw new ShutdownError('shutting down');
        rowCounts[entity]! += batch.length;
        if (Date.now() - lastBeat > HEARTBEAT_MS) {
          lastBeat = Date.now();
          const beat = await db.update(exportJobs).set({ heartbeatAt: new Date() }).where(ownRun(job)).returning({ id: exportJobs.id });
          if (beat.length === 0) throw new SupersededError('taken over by another run');
        }
        yield batch;
      }
    }

    async function* csv(entity: ExportEntity): AsyncGenerator<string> {
      const columns = entityColumns(entity);
      yield csvLine(columns);
      for await (const batch of batches(entity)) {
        yield batch.map((row) => csvLine(columns.map((column) => csvValue(row[column])))).join('');
      }
    }

    // One JSON object, `{ "<entity>": [ {row}, ... ], ... }`, one row per line.
    async function* json(): AsyncGenerator<string> {
      yield '{';
      for (const [index, entity] of entities.entries()) {
        yield `${index > 0 ? ',' : ''}\n${JSON.stringify(entity)}: [`;
        let separator = '';
        for await (const batch of batches(entity)) {
          let chunk = '';
          for (const row of batch) {
            chunk += `${separator}\n${JSON.stringify(row)}`;
            separator = ',';
          }
          yield chunk;
        }
        yield '\n]';
      }
      yield '\n}\n';
    }

    const output = createWriteStream(path);
    if (job.format === 'json') await pipeline(Readable.from(json()), output);
    else if (entities.length === 1) await pipeline(Readable.from(csv(entities[0]!)), output);
    else await writeZip(entities.map((entity) => ({ name: `${entity}.csv`, content: () => Readable.from(csv(entity)) })), output);
    return rowCounts;
  }

  return {
    async create(user: AuthUser, body: CreateExportBody): Promise<ExportCreated> {
      const params = { entities: body.entities, format: body.format, ...(body.from ? { from: body.from } : {}), ...(body.to ? { to: body.to } : {}) };
      const job = await db.transaction(async (tx) => {
        const [row] = await tx.insert(exportJobs).values({ requestedBy: user.id, format: body.format, params }).returning();
        await recordAudit(tx, user, { action: 'export.create', targetType: 'export', targetId: row!.id, after: params });
        return row!;
      });
      // After the commit, and outside the request: the response does not wait for the export.
      setImmediate(() => schedule(job.id));
      return { exportId: job.id, status: job.status, statusUrl: statusUrl(job.id) };
    },

    async get(id: string): Promise<ExportJob> {
      const [row] = await db
        .select({ job: exportJobs, requester: { id: users.id, firstName: users.firstName, lastName: users.lastName, username: users.username } })
        .from(exportJobs)
        .leftJoin(users, eq(users.id, exportJobs.requestedBy))
        .where(eq(exportJobs.id, id))
        .limit(1);
      if (!row) throw new AppError('EXPORT_NOT_FOUND', 'Export not found');
      return presentJob(row.job, row.requester);
    },

    async list(query: ExportListQuery): Promise<{ data: ExportJob[]; pagination: Pagination }> {
      const where = query.status ? eq(exportJobs.status, query.status) : undefined;
      const [rows, [total]] = await Promise.all([
        db
          .select({ job: exportJobs, requester: { id: users.id, firstName: users.firstName, lastName: users.lastName, username: users.username } })
          .from(exportJobs)
          .leftJoin(users, eq(users.id, exportJobs.requestedBy))
          .where(where)
          .orderBy(desc(exportJobs.createdAt), desc(exportJobs.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ value: count() }).from(exportJobs).where(where),
      ]);
      return {
        data: rows.map((row) => presentJob(row.job, row.requester)),
        pagination: pageInfo(query.page, query.limit, total?.value ?? 0),
      };
    },

    /** The finished file: 404 for an unknown job, 409 while it is not completed. */
    async file(id: string): Promise<ExportFile> {
      const [job] = await db.select().from(exportJobs).where(eq(exportJobs.id, id)).limit(1);
      if (!job) throw new AppError('EXPORT_NOT_FOUND', 'Export not found');
      if (job.status !== 'completed') {
        throw new AppError(
          'EXPORT_NOT_READY',
          job.status === 'failed' ? 'The export failed; there is nothing to download' : `The export is ${job.status}; try again when it is completed`,
        );
      }
      const path = fileFor(job);
      try {
        const { size } = await stat(path);
        return { fileName: job.fileName ?? `export.${extension(job)}`, contentType: contentTypes[extension(job)]!, size, body: createReadStream(path) };
      } catch {
        throw new AppError('EXPORT_NOT_FOUND', 'The export file is no longer available');
      }
    },

    /** Runs what an earlier process left unfinished, then keeps sweeping for abandoned jobs. */
    async start(): Promise<void> {
      await sweep(deps.embedded ? new Date(Date.now() + 1000) : staleSince());
      sweeper = setInterval(() => void sweep(staleSince()).catch((error: unknown) => log.error({ err: error }, 'export sweep failed')), SWEEP_MS);
      sweeper.unref();
    },

    /** Stops taking jobs and interrupts the running ones, which are queued again for the next start. */
    async stop(): Promise<void> {
      closing = true;
      if (sweeper) clearInterval(sweeper);
      waiting.length = 0;
      await Promise.allSettled([...running.values()]);
    },
  };

  async function sweep(staleBefore: Date): Promise<void> {
    const orphans = await db
      .select({ id: exportJobs.id, status: exportJobs.status })
      .from(exportJobs)
      .where(
        or(
          eq(exportJobs.status, 'queued'),
          and(inArray(exportJobs.status, ['running']), or(isNull(exportJobs.heartbeatAt), lt(exportJobs.heartbeatAt, staleBefore))),
        ),
      )
      .orderBy(exportJobs.createdAt)
      .limit(100);
    for (const orphan of orphans) {
      if (scheduled.has(orphan.id)) continue;
      if (orphan.status === 'running') log.info({ exportId: orphan.id }, 'export job interrupted earlier; running it again');
      scheduledStale.set(orphan.id, staleBefore);
      schedule(orphan.id);
    }
  }
}

/** A ZIP of several streamed entries, each opened only when its turn comes. */
async function writeZip(entries: { name: string; content: () => Readable }[], output: Writable): Promise<void> {
  const zip = new ZipFile();
  let fail: (error: unknown) => void = () => undefined;
  // yazl does not forward an entry stream's error: catch it here, or the ZIP would wait forever.
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.name, (callback) => {
      const stream = entry.content();
      stream.on('error', fail);
      callback(null, stream);
    });
  }
  zip.end();
  const written = pipeline(zip.outputStream as Readable, output);
  try {
    await Promise.race([written, failed]);
  } catch (error) {
    output.destroy();
    (zip.outputStream as Readable).destroy();
    throw error;
  }
}

export type ExportService = ReturnType<typeof createExportService>;

// One PostgreSQL dialect everywhere: embedded PGlite in DATA_DIR when DATABASE_URL is unset,
// a node-postgres pool when it is set.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { migrationsFolder } from '../paths.js';
import { pipelineAutocommitQueries, pipelineTransactionStatements } from './pipelined-queries.js';
import { prepareRepeatedStatements } from './prepared-statements.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** What query functions take: the database or a transaction inside it. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** PostgreSQL's connection string, for features that need a connection of their own (LISTEN). */
  url?: string;
  ping(): Promise<void>;
  /** Connections: the node-postgres pool and pipelined connections, or PGlite's single in-process connection. */
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  /** Open and unused (node-postgres only). */
  idle?: number;
  /** Queries waiting for a connection (node-postgres only). */
  waiting?: number;
}

const connectFailures = new WeakSet<object>();
/** The error was raised while opening a pooled connection (a transaction's first step), whatever its kind. */
export const isConnectFailure = (error: unknown): boolean => typeof error === 'object' && error !== null && connectFailures.has(error);

/** How long a query waits for a pooled connection by default before it fails (and the request gets 503). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

// ---- Work done at the end of a transaction, just before it commits

/**
 * Work that a transaction collects items for as it goes and does once, after its last statement and
 * before COMMIT, with all of them (writing a transaction's events in one statement, say).
 */
export interface EndOfTransactionWork<T> {
  run(tx: Transaction, items: T[]): Promise<void>;
  /**
   * Its statement is the transaction's last (written with the COMMIT, see THEN_COMMIT): it runs after
   * every other work, and nothing may fail after it.
   */
  last?: boolean;
}

const collected = new WeakMap<object, Map<EndOfTransactionWork<never>, unknown[]>>();
/** Transactions opened through a database that does their end-of-transaction work (see runsCommitHooks). */
const hookAware = new WeakSet<object>();

/**
 * Adds `items` for `work` to do at the end of `tx`. Works run in the order they were first given items (a
 * work marked `last` after all others);
 * one that fails rolls the transaction back; nothing runs if it rolls back. In a savepoint, the items join
 * the enclosing transaction's when the savepoint is released, and are dropped when it rolls back.
 */
export function atCommit<T>(tx: Transaction, work: EndOfTransactionWork<T>, items: readonly T[]): void {
  if (!hookAware.has(tx)) throw new Error('atCommit: this transaction was not opened through a database of openDatabase()');
  let works = collected.get(tx);
  if (!works) collected.set(tx, (works = new Map()));
  const list = works.get(work as EndOfTransactionWork<never>);
  if (list) list.push(...items);
  else works.set(work as EndOfTransactionWork<never>, [...items]);
}

/** Runs `hook` once at the end of `tx` (see atCommit). */
export function beforeCommit(tx: Transaction, hook: () => Promise<void>): void {
  atCommit(tx, { run: hook }, []);
}

/**
 * Runs steps of one transaction that do not depend on each other together: their statements go to the
 * database in one write (see pipelineTransactionStatements) and are run in the order they were sent.
 * Resolves to their results in order. Waits for every step to finish before reporting the first failure,
 * so that no step sends a statement after the transaction has rolled back and its connection has gone
 * back to the pool.
 */
export async function concurrentSteps<T extends readonly unknown[]>(steps: readonly [...{ [K in keyof T]: PromiseLike<T[K]> }]): Promise<T> {
  let firstFailure: { error: unknown } | undefined;
  const results = await Promise.all(
    steps.map((step) =>
      Promise.resolve(step).catch((error: unknown) => {
        firstFailure ??= { error };
        return undefined;
      }),
    ),
  );
  if (firstFailure) throw firstFailure.error;
  return results as unknown as T;
}

/** Hooks to call once a transaction (its savepoints' once they are released into it) has committed. */
const committedHooks = new WeakMap<object, (() => void)[]>();
/** The database each transaction (and savepoint) was opened on. */
const databases = new WeakMap<object, Database>();

/**
 * Calls `hook` once the outermost transaction of `tx` has committed (its COMMIT has returned), never if it
 * rolls back; in a savepoint, not if the savepoint rolls back. The hook must not throw: the transaction
 * has committed, and its caller is answered as such.
 */
export function afterCommit(tx: Transaction, hook: () => void): void {
  if (!hookAware.has(tx)) throw new Error('afterCommit: this transaction was not opened through a database of openDatabase()');
  const hooks = committedHooks.get(tx);
  if (hooks) hooks.push(hook);
  else committedHooks.set(tx, [hook]);
}

/** The database a transaction of openDatabase()'s was opened on. */
export function databaseOf(tx: Transaction): Database {
  const database = databases.get(tx);
  if (!database) throw new Error('databaseOf: this transaction was not opened through a database of openDatabase()');
  return database;
}

interface OpensTransactions {
  transaction: Database['transaction'];
}

/**
 * Makes `db.transaction` (and the savepoints nested in its transactions) do the work of atCommit when
 * the transaction's own work is done, and call afterCommit's hooks once it has committed. openDatabase()
 * does it for every database it opens.
 */
export function runsCommitHooks<T extends OpensTransactions>(db: T): T {
  const open = db.transaction.bind(db) as OpensTransactions['transaction'];
  const database = databases.get(db) ?? (db as unknown as Database);
  db.transaction = (async (work, config) => {
    let committed: (() => void)[] = [];
    const outcome = await open(async (tx) => {
      hookAware.add(tx);
      databases.set(tx, database);
      runsCommitHooks(tx);
      const result = await work(tx);
      if (hookAware.has(db)) {
        // A savepoint that succeeded: its items and hooks wait for the end of the enclosing transaction.
        for (const [pending, items] of collected.get(tx) ?? []) atCommit(db as unknown as Transaction, pending, items);
        for (const hook of committedHooks.get(tx) ?? []) afterCommit(db as unknown as Transaction, hook);
        collected.delete(tx);
        committedHooks.delete(tx);
        return result;
      }
      // Work may collect more items for later work; each batch runs once, the last work's after all others.
      for (let works = collected.get(tx); works && works.size > 0; works = collected.get(tx)) {
        const [pending, items] = [...works].find(([candidate]) => !candidate.last) ?? [...works][0]!;
        works.delete(pending);
        await pending.run(tx, items as never[]);
      }
      committed = committedHooks.get(tx) ?? [];
      return result;
    }, config);
    for (const hook of committed) hook();
    return outcome;
  }) as OpensTransactions['transaction'];
  return db;
}

// Arbitrary constant shared by every instance: only one of them migrates at a time.
const MIGRATION_LOCK_ID = 4242000;

export class DataDirLockedError extends Error {}

/**
 * PGlite is a single-process database: a second process writing the same files would corrupt them.
 * The lock file holds the owner's pid; a lock left by a process that no longer exists is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, 'skilled.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(
          `The data directory ${dir} is in use by another skilled process (pid ${owner}). ` +
            'Stop it first, or start this one with another DATA_DIR.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock the data directory ${dir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes `release` idempotent and calls it (dropping the connection) as soon as the connection ends. */
function releaseWhenLost(client: PoolClient): PoolClient {
  const release = client.release.bind(client);
  let released = false;
  const releaseOnce = (error?: Error | boolean) => {
    if (released) return;
    released = true;
    client.off('end', onEnd);
    release(error);
  };
  const onEnd = () => releaseOnce(new Error('connection lost'));
  client.on('end', onEnd);
  client.release = releaseOnce;
  return client;
}

export interface OpenOptions {
  databaseUrl?: string;
  /** Directory of the embedded database; `undefined` with no URL gives an in-memory one. */
  dataDir?: string;
  poolSize?: number;
  /** node-postgres: how long to wait for a connection (new or from the pool) before failing. */
  connectTimeoutMs?: number;
  /**
   * A read replica (DATABASE_READ_URL): no migrations (it follows the primary's schema), and every
   * transaction is read-only, so that a write sent to it by mistake fails instead of going astray.
   */
  readReplica?: boolean;
}

/** Applies the migrations; the advisory lock lets one instance at a time do it. */
async function migrateOnce(pool: Pool): Promise<void> {
  const [{ drizzle: drizzleNodePg }, { migrate: migrateNodePg }] = await Promise.all([
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const lockClient = await pool.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    // On the connection that holds the lock: a pool of one connection must be enough to migrate.
    await migrateNodePg(drizzleNodePg({ client: lockClient, schema }), { migrationsFolder });
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    lockClient.release();
  }
}

/**
 * The embedded database's buffer pool: 32 MB rather than PGlite's 128 MB, whose setting up takes about
 * 0.3 s of every start (measured: PGlite.create on an existing data directory, 850-870 → 500-560 ms).
 * A single-machine database's hot pages fit, and the operating system's page cache holds the rest.
 */
const EMBEDDED_SETTINGS = { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'] };

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    // The PostgreSQL driver is loaded only when it is used: the embedded database starts without it.
    const [{ default: pg }, { drizzle: drizzleNodePg }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
    // At least one pipelined connection and one for transactions (the configuration refuses fewer than 2).
    const connectionBudget = Math.max(2, options.poolSize ?? 10);
    const pipelinedConnections = Math.max(1, Math.floor(connectionBudget / 4));
    const connectionConfig = {
      connectionString: options.databaseUrl,
      // Fail fast while the database is unreachable instead of queueing requests without end; the pool
      // opens fresh connections by itself once it is back.
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Notices a peer that vanished without closing the connection (host down, network cut).
      keepAlive: true,
      ...(options.readReplica ? { options: '-c default_transaction_read_only=on' } : {}),
    };
    // Of the connection budget, a quarter carries the statements outside transactions, pipelined; the
    // rest is the pool that transactions take their connection from.
    const pool = new pg.Pool({ ...connectionConfig, pipeline: true, max: connectionBudget - pipelinedConnections } as PoolConfig);
    // A client losing its connection must not crash the process. Idle ones are dropped by the pool; one
    // checked out (a transaction between two statements) fails its next query, and is dropped on release.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      prepareRepeatedStatements(client);
      pipelineTransactionStatements(client);
    });
    // Transactions take their connection with connect(). Its failures are marked, so that they can be told
    // apart. And a connection that dies is handed back to the pool at once: drizzle does not release it
    // when the transaction's `begin` fails, and such a leak would use up the pool after a database restart.
    const originalConnect = pool.connect as (...args: unknown[]) => unknown;
    pool.connect = ((...args: unknown[]) => {
      if (args.length > 0) return originalConnect.apply(pool, args);
      return (originalConnect.call(pool) as Promise<PoolClient>).then(releaseWhenLost, (error: unknown) => {
        if (typeof error === 'object' && error !== null) connectFailures.add(error);
        throw error;
      });
    }) as typeof pool.connect;
    if (!options.readReplica) await migrateOnce(pool);
    const pipelined = pipelineAutocommitQueries(pool, {
      connections: pipelinedConnections,
      clientConfig: connectionConfig,
      createClient: (config) => new pg.Client(config),
      onConnect: (client) => prepareRepeatedStatements(client),
      markConnectFailure: (error) => connectFailures.add(error as object),
    });
    const db = runsCommitHooks(drizzleNodePg({ client: pool, schema }) as unknown as Database);
    return {
      db,
      kind: 'postgres',
      url: options.databaseUrl,
      ping: async () => void (await db.execute(sql`select 1`)),
      poolStats: () => ({
        total: pool.totalCount + pipelined.open(),
        idle: pool.idleCount + pipelined.idle(),
        waiting: pool.waitingCount,
      }),
      close: async () => {
        await pipelined.close();
        await pool.end();
      },
    };
  }

  let unlock: () => void = () => undefined;
  let client: PGlite;
  if (options.dataDir) {
    const dir = join(options.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
    try {
      client = await PGlite.create(dir, EMBEDDED_SETTINGS);
    } catch (error) {
      unlock();
      throw error;
    }
  } else {
    client = await PGlite.create(EMBEDDED_SETTINGS);
  }
  const db = runsCommitHooks(drizzlePglite({ client, schema }) as unknown as Database);
  await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await client.query('select 1')),
    poolStats: () => ({ total: closed ? 0 : 1 }),
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
      unlock();
    },
  };
}

/**
 * Rows of a raw SQL query, the same shape for PGlite and node-postgres. Cast counts and sums in SQL
 * (`count(*)::int`, `sum(x)::float8`): bigint and numeric come back as strings otherwise.
 */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * A PostgreSQL array literal of values that need no quoting (uuids, booleans, event type names), to pass
 * as one parameter (`${arrayLiteral(ids)}::uuid[]`) whatever the number of values: the statement's text
 * stays the same, and PostgreSQL's limit on parameters is never reached.
 */
export const arrayLiteral = (values: readonly (string | boolean)[]): string => `{${values.join(',')}}`;

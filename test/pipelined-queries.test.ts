// On PostgreSQL the statements outside a transaction share a few pipelined connections: each still gets
// its own rows and its own error, a slow one holds up only its own connection, and a lost connection is
// replaced. Needs DATABASE_URL (the embedded database has no connections).
import net from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/server/config.js';
import { concurrentSteps, type DatabaseHandle, openDatabase, queryRows, type Transaction } from '../src/server/db/client.js';
import { THEN_COMMIT } from '../src/server/db/pipelined-queries.js';
import { isDatabaseUnavailable } from '../src/server/http/errors.js';
import { freshPostgresDatabase } from './support/process.js';

const databaseUrl = process.env.DATABASE_URL;

// A budget of 8 connections: 2 pipelined, 6 pooled for transactions.
const POOL_SIZE = 8;
const PIPELINED = 2;

describe.runIf(Boolean(databaseUrl))('pipelined statements on PostgreSQL', () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let admin: pg.Client;
  beforeAll(async () => {
    const database = await freshPostgresDatabase(databaseUrl!, 'skilled_pipelined');
    drop = database.drop;
    handle = await openDatabase({ databaseUrl: database.url, poolSize: POOL_SIZE });
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await handle?.close();
    await drop?.();
  });

  const numbered = (n: number) => queryRows<{ n: number; pid: number }>(handle.db, sql`select ${n}::int as n, pg_backend_pid() as pid`);

  async function lanePids(): Promise<Set<number>> {
    const rows = await Promise.all(Array.from({ length: 40 }, (_, i) => numbered(i)));
    return new Set(rows.map(([row]) => row!.pid));
  }

  it('answers 200 concurrent statements, each with its own rows, over the pipelined connections only', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => numbered(i)));
    expect(answers.map(([row]) => row!.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const pids = new Set(answers.map(([row]) => row!.pid));
    // Through the pool, 200 concurrent statements would have taken all of its 6 connections.
    expect(pids.size).toBeGreaterThanOrEqual(1);
    expect(pids.size).toBeLessThanOrEqual(PIPELINED);

    // A transaction still has a pooled connection of its own.
    const inTransaction = await handle.db.transaction(async (tx) => queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`));
    expect(pids.has(inTransaction[0]!.pid)).toBe(false);
    expect(handle.poolStats().total).toBeGreaterThanOrEqual(PIPELINED + 1);
  });

  it('fails a statement that errs alone: the ones written with it get their answers', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => queryRows<{ q: number }>(handle.db, sql`select 60 / ${i % 3 === 0 ? 0 : i}::int as q`)),
    );
    outcomes.forEach((outcome, i) => {
      if (i % 3 === 0) {
        expect(outcome.status).toBe('rejected');
        const cause = (outcome as PromiseRejectedResult).reason as { cause?: { code?: string } };
        expect(cause.cause?.code).toBe('22012'); // division_by_zero
        expect(isDatabaseUnavailable(cause)).toBe(false);
      } else {
        expect(outcome).toEqual({ status: 'fulfilled', value: [{ q: Math.trunc(60 / i) }] });
      }
    });
  });

  it('lets quick statements pass a slow one: they go to a connection with nothing in flight', async () => {
    const finished: string[] = [];
    const slow = queryRows(handle.db, sql`select pg_sleep(${0.8}::float8) as slept`).then(() => finished.push('slow'));
    for (let i = 0; i < 10; i++) expect((await numbered(i))[0]!.n).toBe(i);
    finished.push('quick');
    await slow;
    expect(finished).toEqual(['quick', 'slow']);
  });

  it('replaces a pipelined connection that was lost; a statement caught on it fails as "database unavailable"', async () => {
    const before = await lanePids();
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1::int[])', [[...before]]);
    const errors: unknown[] = [];
    let after = new Set<number>();
    for (let attempt = 0; attempt < 20 && after.size === 0; attempt++) {
      try {
        after = await lanePids();
      } catch (error) {
        errors.push(error);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(after.size).toBeGreaterThan(0);
    expect([...after].some((pid) => before.has(pid))).toBe(false);
    for (const error of errors) expect(isDatabaseUnavailable(error)).toBe(true);
  });
});

// A transaction's pooled connection is pipelined too: BEGIN goes with the first statement, independent
// steps go together, and the statement marked THEN_COMMIT goes with the COMMIT.
describe.runIf(Boolean(databaseUrl))('pipelined transactions on PostgreSQL', () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  const socketWrites = { count: 0 };
  const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const originals = { _write: socket._write, _writev: socket._writev };

  beforeAll(async () => {
    const database = await freshPostgresDatabase(databaseUrl!, 'skilled_pipelined_tx');
    drop = database.drop;
    handle = await openDatabase({ databaseUrl: database.url, poolSize: POOL_SIZE });
    await handle.db.execute(sql`create table steps (name text primary key)`);
    for (const method of ['_write', '_writev'] as const) {
      socket[method] = function (this: unknown, ...args: unknown[]) {
        socketWrites.count++;
        return originals[method].apply(this, args);
      };
    }
  });
  afterAll(async () => {
    Object.assign(socket, originals);
    await handle?.close();
    await drop?.();
  });

  const names = async () => (await queryRows<{ name: string }>(handle.db, sql`select name from steps order by name`)).map((row) => row.name);
  const insert = (tx: Transaction, name: string) => queryRows(tx, sql`insert into steps (name) values (${name}) returning name`);

  it('sends a transaction of seven statements in three writes, and commits all of it', async () => {
    await handle.db.execute(sql`delete from steps`);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`); // the pool's connection is warm: no connection set-up below
    });
    const before = socketWrites.count;
    await handle.db.transaction(async (tx) => {
      await insert(tx, 'a'); // with BEGIN
      await concurrentSteps([insert(tx, 'b'), insert(tx, 'c'), insert(tx, 'd')]);
      await queryRows(tx, sql`${sql.raw(THEN_COMMIT)}insert into steps (name) values ('e')`); // with COMMIT
    });
    // BEGIN, five inserts and COMMIT, one write each before.
    expect(socketWrites.count - before).toBe(3);
    expect(await names()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it("rolls back everything when a step fails, reporting that step's error after every step has finished", async () => {
    await handle.db.execute(sql`delete from steps`);
    const finished: string[] = [];
    const attempt = handle.db.transaction(async (tx) => {
      await insert(tx, 'a');
      await concurrentSteps([
        insert(tx, 'b').then(() => finished.push('b')),
        queryRows(tx, sql`select 1 / ${0}::int`),
        // Sent behind the failing one: the transaction is aborted by then.
        insert(tx, 'c').catch((error: unknown) => {
          finished.push('c');
          throw error;
        }),
      ]);
    });
    await expect(attempt).rejects.toMatchObject({ cause: { code: '22012' } }); // division_by_zero, not "transaction aborted"
    expect(finished.sort()).toEqual(['b', 'c']);
    expect(await names()).toEqual([]);
  });

  it('rolls back when the statement written with the COMMIT fails: nothing of the transaction is kept', async () => {
    await handle.db.execute(sql`delete from steps`);
    const attempt = handle.db.transaction(async (tx) => {
      await insert(tx, 'a');
      await queryRows(tx, sql`${sql.raw(THEN_COMMIT)}insert into steps (name) values ('a')`); // duplicate key
    });
    await expect(attempt).rejects.toMatchObject({ cause: { code: '23505' } });
    expect(await names()).toEqual([]);
    // The connection is clean for the next transaction.
    await handle.db.transaction(async (tx) => insert(tx, 'next'));
    expect(await names()).toEqual(['next']);
  });

  it('refuses a statement after the last one, without sending it', async () => {
    await handle.db.execute(sql`delete from steps`);
    const attempt = handle.db.transaction(async (tx) => {
      await queryRows(tx, sql`${sql.raw(THEN_COMMIT)}insert into steps (name) values ('last')`);
      await insert(tx, 'after');
    });
    await expect(attempt).rejects.toMatchObject({ cause: { message: expect.stringMatching(/after the last one of its transaction/) } });
    expect(await names()).toEqual(['last']);
  });

  it('still rolls back a transaction whose code throws after its first statement', async () => {
    await handle.db.execute(sql`delete from steps`);
    const attempt = handle.db.transaction(async (tx) => {
      await insert(tx, 'a');
      throw new Error('changed my mind');
    });
    await expect(attempt).rejects.toThrow('changed my mind');
    expect(await names()).toEqual([]);
  });
});

describe('the connection budget', () => {
  it('refuses DATABASE_POOL_SIZE below 2 at start, and takes 2', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '1', DATA_DIR: '/tmp' })).toThrow(/DATABASE_POOL_SIZE: must be at least 2/);
    expect(loadConfig({ DATABASE_POOL_SIZE: '2', DATA_DIR: '/tmp' }).databasePool.size).toBe(2);
  });
});

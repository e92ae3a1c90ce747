// A transaction's events are written at its very end, whatever it does after emitting them, so that the
// event-log lock (which keeps ids in commit order) is held only for that last step; nothing is written
// when the transaction or its savepoint rolls back. Runs on the embedded database, and on PostgreSQL too
// when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atCommit, beforeCommit, type DatabaseHandle, type EndOfTransactionWork, openDatabase, queryRows } from '../src/server/db/client.js';
import type { FastifyBaseLogger } from 'fastify';
import { emitEvent } from '../src/server/realtime/events.js';
import { EventHub, type OutgoingEvent, type Subscriber } from '../src/server/realtime/hub.js';
import { freshPostgresDatabase } from './support/process.js';
import { eventually } from './support/webhooks.js';

const targets: [string, () => Promise<{ handle: DatabaseHandle; drop?: () => Promise<void> }>][] = [
  ['embedded', async () => ({ handle: await openDatabase({}) })],
];
if (process.env.DATABASE_URL) {
  targets.push([
    'PostgreSQL',
    async () => {
      const database = await freshPostgresDatabase(process.env.DATABASE_URL!, 'skilled_eventlog');
      return { handle: await openDatabase({ databaseUrl: database.url, poolSize: 4 }), drop: database.drop };
    },
  ]);
}

class Rollback extends Error {}

describe.each(targets)('event log on the %s database', (_name, open) => {
  let handle: DatabaseHandle;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ handle, drop } = await open());
  });
  afterAll(async () => {
    await handle.close();
    await drop?.();
  });

  // Events told apart by their announcement id.
  const announce = (marker: string) =>
    ({ type: 'announcement.posted', data: { announcementId: marker, courseId: null }, audience: { admins: true } }) as const;
  const eventsOf = async (marker: string) =>
    queryRows<{ id: number }>(handle.db, sql`select id::float8 as id from events where payload->>'announcementId' = ${marker} order by id`);

  it('writes the events after the last statement of the transaction, in the order emitted', async () => {
    const marker = randomUUID();
    const seen = await handle.db.transaction(async (tx) => {
      await emitEvent(tx, announce(marker));
      await emitEvent(tx, announce(marker));
      // Statements after emitting: the events are not there yet, and no event-log lock is held.
      const during = await queryRows<{ count: number }>(tx, sql`select count(*)::int as count from events where payload->>'announcementId' = ${marker}`);
      const locks = await queryRows<{ count: number }>(tx, sql`select count(*)::int as count from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`);
      return { during: during[0]!.count, locks: locks[0]!.count };
    });
    expect(seen).toEqual({ during: 0, locks: 0 });
    const written = await eventsOf(marker);
    expect(written).toHaveLength(2);
    expect(written[1]!.id).toBeGreaterThan(written[0]!.id);
  });

  it('writes nothing when the transaction rolls back, or for a savepoint that rolls back', async () => {
    const lost = randomUUID();
    await expect(
      handle.db.transaction(async (tx) => {
        await emitEvent(tx, announce(lost));
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await eventsOf(lost)).toHaveLength(0);

    const kept = randomUUID();
    const undone = randomUUID();
    await handle.db.transaction(async (tx) => {
      await tx.transaction(async (savepoint) => emitEvent(savepoint, announce(kept)));
      await tx
        .transaction(async (savepoint) => {
          await emitEvent(savepoint, announce(undone));
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
    });
    expect(await eventsOf(kept)).toHaveLength(1);
    expect(await eventsOf(undone)).toHaveLength(0);
  });

  it('collects a transaction’s items, its released savepoints’ included, for one run at its end', async () => {
    const runs: string[][] = [];
    const work: EndOfTransactionWork<string> = { run: async (_tx, items) => void runs.push(items) };
    await handle.db.transaction(async (tx) => {
      atCommit(tx, work, ['first']);
      await tx.transaction(async (savepoint) => atCommit(savepoint, work, ['in a savepoint']));
      await tx
        .transaction(async (savepoint) => {
          atCommit(savepoint, work, ['undone']);
          throw new Rollback();
        })
        .catch(() => undefined);
      atCommit(tx, work, ['last']);
      expect(runs).toEqual([]);
    });
    expect(runs).toEqual([['first', 'in a savepoint', 'last']]);
  });

  it('a failing end-of-transaction step rolls the whole transaction back', async () => {
    const marker = randomUUID();
    await expect(
      handle.db.transaction(async (tx) => {
        await emitEvent(tx, announce(marker));
        beforeCommit(tx, async () => {
          throw new Error('refused at the end');
        });
      }),
    ).rejects.toThrow('refused at the end');
    expect(await eventsOf(marker)).toHaveLength(0);
  });

  it("moves the instance's reader past its database's announced events without reading them while no client is connected", async () => {
    let reads = 0;
    // The hub reads the log through db.select(): counted here.
    const counted = new Proxy(handle.db, {
      get: (target, key, receiver) => {
        if (key === 'select') reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const silent = { error: () => undefined } as unknown as FastifyBaseLogger;
    const hub = new EventHub(counted, silent, 3_600_000);
    await hub.start();
    const commit = async (marker: string) => {
      await handle.db.transaction((tx) => emitEvent(tx, announce(marker)));
      return (await eventsOf(marker))[0]!.id;
    };
    const settled = () => new Promise((resolve) => setTimeout(resolve, 100));

    const unseen = await commit(randomUUID());
    reads = 0;
    hub.wake(unseen, { committedHere: true });
    await settled();
    expect(reads).toBe(0);
    expect(hub.cursor).toBe(unseen);

    // An id heard from the bus may be another database's (instances of two databases sharing a broker):
    // the position only moves to what the log holds.
    hub.wake(unseen + 1_000_000);
    await eventually(async () => (reads === 1 ? true : undefined), 10_000, 'the log read');
    await settled();
    expect(hub.cursor).toBe(unseen);

    // A client connected from here on gets what commits next, read from the log.
    const received: OutgoingEvent[] = [];
    const admin: Subscriber = {
      user: { id: randomUUID(), role: 'admin', sessionId: randomUUID() },
      courses: new Set(),
      memberCourses: false,
      types: null,
      lastSent: 0,
      floor: 0,
      replaying: false,
      isOpen: () => true,
      send: (event) => received.push(event),
      waitForRoom: async () => true,
      revoke: () => undefined,
    };
    hub.add(admin);
    expect(admin.lastSent).toBe(unseen);
    const seen = await commit(randomUUID());
    hub.wake(seen, { committedHere: true });
    // Read from the log and delivered: waited for, not timed, since the read may take a while on a busy machine.
    await eventually(async () => (received.length > 0 ? true : undefined), 10_000, 'the event delivered');
    expect(reads).toBeGreaterThan(1);
    expect(received.map((event) => event.id)).toEqual([seen]);
    hub.stop();
  });

  it('refuses to collect events in a transaction that would never write them', async () => {
    // A database object of its own, whose transactions run no end-of-transaction steps.
    const unaware = { transaction: async <T>(work: (tx: never) => Promise<T>) => work({} as never) };
    await expect(unaware.transaction((tx) => emitEvent(tx, announce(randomUUID())))).rejects.toThrow(/not opened through a database/);
  });
});

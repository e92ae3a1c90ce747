// A transaction's events are written at its very end, whatever it does after emitting them, and announced
// once it has committed; nothing is written or announced when the transaction or its savepoint rolls
// back. Readers go through the log in id order without passing an id that may still commit. Runs on the
// embedded database, and on PostgreSQL too when DATABASE_URL is set (the concurrent commits: only there).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { atCommit, beforeCommit, type DatabaseHandle, type EndOfTransactionWork, openDatabase, queryRows } from '../src/server/db/client.js';
import { dispatchEvents } from '../src/server/features/webhooks/dispatcher.js';
import { CommittedEventReader, emitEvent, onEventsCommitted, settledLatestEventId } from '../src/server/realtime/events.js';
import { EventHub, type OutgoingEvent, type Subscriber } from '../src/server/realtime/hub.js';
import { freshPostgresDatabase } from './support/process.js';
import { eventually } from './support/webhooks.js';

const targets: [string, () => Promise<{ handle: DatabaseHandle; url?: string; drop?: () => Promise<void> }>][] = [
  ['embedded', async () => ({ handle: await openDatabase({}) })],
];
if (process.env.DATABASE_URL) {
  targets.push([
    'PostgreSQL',
    async () => {
      const database = await freshPostgresDatabase(process.env.DATABASE_URL!, 'skilled_eventlog');
      return { handle: await openDatabase({ databaseUrl: database.url, poolSize: 4 }), url: database.url, drop: database.drop };
    },
  ]);
}

class Rollback extends Error {}

/** For listeners that must not fail: a failure reported to it fails the test. */
const unexpectedFailure = {
  error: (details: { err: Error }) => {
    throw details.err;
  },
} as unknown as FastifyBaseLogger;

describe.each(targets)('event log on the %s database', (_name, open) => {
  let handle: DatabaseHandle;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ handle, url, drop } = await open());
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
      // A statement after emitting: the events are not there yet.
      const during = await queryRows<{ count: number }>(tx, sql`select count(*)::int as count from events where payload->>'announcementId' = ${marker}`);
      return during[0]!.count;
    });
    expect(seen).toBe(0);
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

  it('announces the newest id of a transaction that committed events, once committed, and nothing for one that rolled back', async () => {
    const heard: { id: number; visible: number }[] = [];
    let marker = randomUUID();
    const stop = onEventsCommitted(handle.db, (id) => heard.push({ id, visible: -1 }), unexpectedFailure);
    try {
      await handle.db.transaction(async (tx) => {
        await emitEvent(tx, announce(marker));
        await emitEvent(tx, announce(marker));
        await tx.transaction(async (savepoint) => emitEvent(savepoint, announce(marker)));
      });
      const written = await eventsOf(marker);
      expect(written).toHaveLength(3);
      expect(heard.map((h) => h.id)).toEqual([written[2]!.id]);

      heard.length = 0;
      marker = randomUUID();
      await expect(
        handle.db.transaction(async (tx) => {
          await emitEvent(tx, announce(marker));
          throw new Rollback();
        }),
      ).rejects.toBeInstanceOf(Rollback);
      // A savepoint's events that rolled back with it are not announced either, nor a transaction without events.
      await handle.db.transaction(async (tx) => {
        await tx
          .transaction(async (savepoint) => {
            await emitEvent(savepoint, announce(marker));
            throw new Rollback();
          })
          .catch(() => undefined);
      });
      expect(heard).toEqual([]);
    } finally {
      stop();
    }
    // Stopped: no longer called.
    await handle.db.transaction((tx) => emitEvent(tx, announce(randomUUID())));
    expect(heard).toEqual([]);
  });

  it('a listener that fails leaves the committed transaction answered as committed, the failure logged, and the others told', async () => {
    const heard: number[] = [];
    const failures: { eventId: number; message: string }[] = [];
    const failureLog = {
      error: (details: { err: Error; eventId: number }, message: string) => failures.push({ eventId: details.eventId, message: `${details.err.message}: ${message}` }),
    } as unknown as FastifyBaseLogger;
    const stops = [
      onEventsCommitted(
        handle.db,
        () => {
          throw new Error('listener failed');
        },
        failureLog,
      ),
      onEventsCommitted(handle.db, (id) => heard.push(id), unexpectedFailure),
    ];
    const marker = randomUUID();
    try {
      await expect(handle.db.transaction((tx) => emitEvent(tx, announce(marker)))).resolves.toBeUndefined();
    } finally {
      stops.forEach((stop) => stop());
    }
    const [written] = await eventsOf(marker);
    expect(heard).toEqual([written!.id]);
    // Outside any request: the listener's own logger reports it.
    expect(failures).toEqual([{ eventId: written!.id, message: 'listener failed: announcing committed events failed; the next poll finds them' }]);
  });

  it("the instance's reader moves only to what its database's log holds", async () => {
    const silent = { error: () => undefined } as unknown as FastifyBaseLogger;
    const hub = new EventHub(handle.db, silent, 3_600_000);
    await hub.start();
    const newest = await latestId();
    expect(hub.cursor).toBe(newest);
    // An id heard from the bus may be another database's (instances of two databases sharing a broker).
    hub.wake(newest + 1_000_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hub.cursor).toBe(newest);
    hub.stop();
  });

  // A transaction of its own on a connection of its own: an event id taken and not committed yet.
  const holdEventId = async (marker: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>(
      `with writer as materialized (select pg_current_xact_id())
       insert into events (type, payload, admins) select 'announcement.posted', $1::jsonb, true from writer returning id`,
      [JSON.stringify({ announcementId: marker, courseId: null })],
    );
    const end = async (command: 'commit' | 'rollback') => {
      await client.query(command);
      await client.end();
    };
    return { id: Number(rows[0]!.id), end };
  };
  const commitOne = async () => {
    const marker = randomUUID();
    await handle.db.transaction((tx) => emitEvent(tx, announce(marker)));
    return (await eventsOf(marker))[0]!.id;
  };
  const latestId = async () => Number((await queryRows<{ id: string }>(handle.db, sql`select coalesce(max(id), 0) as id from events`))[0]!.id);

  it.skipIf(_name === 'embedded')('reads past an id only once it has committed or can no longer commit', async () => {
    const reader = new CommittedEventReader();
    const before = await latestId();
    const held = await holdEventId(randomUUID());
    const later = await commitOne();
    expect(later).toBe(held.id + 1);

    // The later event is committed, the earlier still may be: the read stops before both, as often as asked.
    expect(await reader.read(handle.db, before)).toEqual({ rows: [], held: true });
    expect(await reader.read(handle.db, before)).toEqual({ rows: [], held: true });
    await held.end('commit');
    const afterCommit = await reader.read(handle.db, before);
    expect(afterCommit.rows.map((row) => row.id)).toEqual([held.id, later]);
    expect(afterCommit.held).toBe(false);

    // Rolled back: its id will never be there, and the read goes past it once its transaction has ended.
    const undone = await holdEventId(randomUUID());
    const next = await commitOne();
    expect(await reader.read(handle.db, later)).toEqual({ rows: [], held: true });
    await undone.end('rollback');
    const afterRollback = await reader.read(handle.db, later);
    expect(afterRollback.rows.map((row) => row.id)).toEqual([next]);
    expect(afterRollback.held).toBe(false);
  });

  it.skipIf(_name === 'embedded')('the webhook dispatcher moves its shared cursor only past ids that can no longer commit', async () => {
    const cursor = async () =>
      Number((await queryRows<{ id: string }>(handle.db, sql`select last_event_id as id from webhook_dispatch_cursor where id = 1`))[0]!.id);
    const reader = new CommittedEventReader();
    while ((await dispatchEvents(handle.db, reader)).more);
    await dispatchEvents(handle.db, reader);
    const before = await cursor();
    expect(before).toBe(await latestId());

    const held = await holdEventId(randomUUID());
    const later = await commitOne();
    await dispatchEvents(handle.db, reader);
    expect(await cursor()).toBe(before);
    await held.end('commit');
    await dispatchEvents(handle.db, reader);
    expect(await cursor()).toBe(later);
  });

  it.skipIf(_name === 'embedded')("delivers to an instance's connections in id order, holding what follows an id still committing", async () => {
    const silent = { error: () => undefined } as unknown as FastifyBaseLogger;
    const hub = new EventHub(handle.db, silent, 3_600_000);
    // A reader starting while an id is taken and not committed waits for it: everything below its position is settled.
    const early = await holdEventId(randomUUID());
    const earlyNext = await commitOne();
    let started = false;
    const starting = hub.start().then(() => (started = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started).toBe(false);
    await early.end('commit');
    await starting;
    expect(hub.cursor).toBe(earlyNext);

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
    await hub.add(admin);
    const held = await holdEventId(randomUUID());
    const later = await commitOne();
    hub.wake(later);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
    await held.end('commit');
    hub.wake(held.id);
    await eventually(async () => (received.length === 2 ? true : undefined), 10_000, 'both events delivered');
    expect(received.map((event) => event.id)).toEqual([held.id, later]);

    // One that rolls back announces nothing: the reader looks again by itself and goes past it.
    const undone = await holdEventId(randomUUID());
    const next = await commitOne();
    hub.wake(next);
    await undone.end('rollback');
    await eventually(async () => (received.length === 3 ? true : undefined), 10_000, 'the event after the rolled-back id delivered');
    expect(received.map((event) => event.id)).toEqual([held.id, later, next]);
    hub.stop();
  });

  it.skipIf(_name === 'embedded')('a reader starting while a transaction stays open waits a bounded time', async () => {
    const held = await holdEventId(randomUUID());
    await commitOne();
    const startedAt = Date.now();
    await settledLatestEventId(handle.db, 300);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
    await held.end('rollback');
  });

  it('refuses to collect events in a transaction that would never write them', async () => {
    // A database object of its own, whose transactions run no end-of-transaction steps.
    const unaware = { transaction: async <T>(work: (tx: never) => Promise<T>) => work({} as never) };
    await expect(unaware.transaction((tx) => emitEvent(tx, announce(randomUUID())))).rejects.toThrow(/not opened through a database/);
  });
});

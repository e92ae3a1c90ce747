// The ceiling that the event log's global lock puts on writes that emit events. emitEvent() takes a
// transaction-scoped advisory lock, inserts the event and notifies; the lock is held until COMMIT (its
// WAL flush included), so those steps run one transaction at a time, across every instance. Timing
// the same steps in a loop (on a temporary table, the same lock key) gives the most such transactions
// PostgreSQL can commit per second, however many connections or instances send them.
import pg from 'pg';

/** The key emitEvent() locks (src/server/realtime/events.ts). */
const EVENT_LOG_LOCK = 4242001;

export interface EventLockResult {
  connections: number;
  transactions: number;
  perSecond: number;
  /** Mean time one transaction holds the lock. */
  meanHoldMs: number;
}

export async function measureEventLock(databaseUrl: string, connections: number, seconds: number): Promise<EventLockResult> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl, application_name: 'skilled-bench-event-lock' });
      await client.connect();
      await client.query('create temporary table bench_events (id bigserial primary key, payload jsonb not null)');
      return client;
    }),
  );
  let transactions = 0;
  let holdMs = 0;
  const deadline = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          await client.query('begin');
          await client.query('select pg_advisory_xact_lock($1)', [EVENT_LOG_LOCK]);
          const locked = performance.now();
          const { rows } = await client.query<{ id: string }>(`insert into bench_events (payload) values ('{"lessonId":"x"}') returning id`);
          await client.query('select pg_notify($1, $2)', ['skilled_bench_event_lock', rows[0]!.id]);
          await client.query('commit');
          holdMs += performance.now() - locked;
          transactions++;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return {
    connections,
    transactions,
    perSecond: Math.round(transactions / seconds),
    meanHoldMs: Number((holdMs / Math.max(1, transactions)).toFixed(3)),
  };
}

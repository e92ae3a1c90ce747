// The ceiling that the event log's global lock puts on writes that emit events. At the end of such a
// transaction, one statement takes a transaction-scoped advisory lock, inserts the events and notifies;
// the lock is held until COMMIT (its WAL flush included), so that statement and the commit run one
// transaction at a time, across every instance. Timing the same steps in a loop (on a temporary table,
// the same lock key) gives the most such transactions PostgreSQL can commit per second, however many
// connections or instances send them.
import pg from 'pg';

/** The key the event log locks (src/server/realtime/events.ts). */
const EVENT_LOG_LOCK = 4242001;

export interface EventLockResult {
  connections: number;
  transactions: number;
  perSecond: number;
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
  const deadline = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          await client.query('begin');
          // The shape of the app's statement: the insert reads from the lock, so the lock comes first.
          await client.query(
            `with event_log_lock as materialized (select pg_advisory_xact_lock($1)),
             inserted as (insert into bench_events (payload) select '{"lessonId":"x"}'::jsonb from event_log_lock returning id)
             select pg_notify($2, max(id)::text) from inserted`,
            [EVENT_LOG_LOCK, 'skilled_bench_event_lock'],
          );
          await client.query('commit');
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
  };
}

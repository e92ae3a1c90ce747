// How many event-emitting transactions PostgreSQL commits per second, timed without the app: the
// statement that ends such a transaction (src/server/realtime/events.ts) and its COMMIT, in a loop on a
// temporary table, from 1 and from 16 connections. Beside it, the shape the event log had before: an
// advisory lock taken before the ids and a pg_notify, both held through the COMMIT, which let one such
// transaction commit at a time across every instance, however many connections sent them.
import pg from 'pg';

/** The lock key the event log used to take. */
const FORMER_EVENT_LOG_LOCK = 4242001;

export type EventCommitShape = 'current' | 'former lock and notify';

export interface EventCommitResult {
  shape: EventCommitShape;
  connections: number;
  transactions: number;
  perSecond: number;
}

const STATEMENTS: Record<EventCommitShape, { text: string; values: unknown[] }> = {
  // The insert reads from the first step, which gives the transaction its id before any event id is taken.
  current: {
    text: `with writer as materialized (select pg_current_xact_id())
           insert into bench_events (payload) select '{"lessonId":"x"}'::jsonb from writer returning id`,
    values: [],
  },
  'former lock and notify': {
    text: `with event_log_lock as materialized (select pg_advisory_xact_lock($1)),
           inserted as (insert into bench_events (payload) select '{"lessonId":"x"}'::jsonb from event_log_lock returning id)
           select pg_notify($2, max(id)::text) from inserted`,
    values: [FORMER_EVENT_LOG_LOCK, 'skilled_bench_event_commits'],
  },
};

export async function measureEventCommits(
  databaseUrl: string,
  shape: EventCommitShape,
  connections: number,
  seconds: number,
): Promise<EventCommitResult> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl, application_name: 'skilled-bench-event-commits' });
      await client.connect();
      await client.query('create temporary table bench_events (id bigserial primary key, payload jsonb not null)');
      return client;
    }),
  );
  const statement = STATEMENTS[shape];
  let transactions = 0;
  const deadline = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          await client.query('begin');
          await client.query(statement.text, statement.values);
          await client.query('commit');
          transactions++;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return { shape, connections, transactions, perSecond: Math.round(transactions / seconds) };
}

import type { Client, ClientConfig, Pool, QueryConfig } from 'pg';

/**
 * Statements outside a transaction (most reads) share a few pipelined connections instead of taking a
 * pooled connection each. A pooled connection carries one statement per round trip, and each statement
 * costs a socket write on each side; on a pipelined connection the statements of every request that is
 * waiting on the database are written together, once per turn of the event loop, and their answers come
 * back together. Each statement still ends with its own Sync, so each is its own implicit transaction and
 * one that fails affects no other. Transactions keep a pooled connection of their own.
 *
 * A statement is sent on the open connection with the fewest statements in flight, so that a slow one
 * holds up only what was already queued behind it; a new connection is opened while every open one is
 * busy and there are fewer than `connections`.
 */
export interface PipelinedQueries {
  /** Open connections. */
  open(): number;
  /** Open connections with no statement in flight. */
  idle(): number;
  close(): Promise<void>;
}

interface Lane {
  client: Client;
  ready: Promise<void>;
  inFlight: number;
  corked: boolean;
  lost: boolean;
}

type QueryFunction = (config: unknown, values?: unknown, callback?: unknown) => unknown;

export interface PipelineOptions {
  /** How many connections the autocommit statements share. */
  connections: number;
  /** The pooled connections' settings (connection string, timeouts, options). */
  clientConfig: ClientConfig;
  /** Prepares a new connection (named prepared statements), as the pool does for its own. */
  onConnect(client: Client): void;
  /** Marks an error as a failure to open a connection (see isConnectFailure). */
  markConnectFailure(error: unknown): void;
  createClient(config: ClientConfig): Client;
}

/** Routes `pool.query` (statements outside a transaction) through pipelined connections. */
export function pipelineAutocommitQueries(pool: Pool, options: PipelineOptions): PipelinedQueries {
  const lanes: Lane[] = [];
  let closed = false;

  const openLane = (): Lane => {
    const client = options.createClient({ ...options.clientConfig, pipeline: true } as ClientConfig);
    const lane: Lane = { client, ready: Promise.resolve(), inFlight: 0, corked: false, lost: false };
    const drop = () => {
      lane.lost = true;
      const index = lanes.indexOf(lane);
      if (index >= 0) lanes.splice(index, 1);
    };
    client.on('error', drop);
    client.on('end', drop);
    lane.ready = client.connect().then(
      () => options.onConnect(client),
      (error: unknown) => {
        drop();
        if (typeof error === 'object' && error !== null) options.markConnectFailure(error);
        throw error;
      },
    );
    // Nobody may be waiting on a failed connect yet; its statements see the failure themselves.
    lane.ready.catch(() => undefined);
    lanes.push(lane);
    return lane;
  };

  const pickLane = (): Lane => {
    let best: Lane | undefined;
    for (const lane of lanes) if (!best || lane.inFlight < best.inFlight) best = lane;
    if (best && (best.inFlight === 0 || lanes.length >= options.connections)) return best;
    return openLane();
  };

  /** Holds the lane's writes until the end of this turn of the event loop, so that they go as one. */
  const corkUntilNextTurn = (lane: Lane) => {
    if (lane.corked) return;
    const stream = (lane.client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }).connection.stream;
    lane.corked = true;
    stream.cork();
    setImmediate(() => {
      lane.corked = false;
      stream.uncork();
    });
  };

  const poolQuery = pool.query.bind(pool) as QueryFunction;
  const query: QueryFunction = (config, values, callback) => {
    // Callback style, and custom query objects (cursors), keep the pool's way.
    if (closed || typeof callback === 'function' || typeof values === 'function') return poolQuery(config, values, callback);
    if (typeof config === 'object' && config !== null && typeof (config as { submit?: unknown }).submit === 'function') {
      return poolQuery(config, values, callback);
    }
    const lane = pickLane();
    lane.inFlight++;
    const run = async () => {
      try {
        await lane.ready;
        if (lane.lost) throw new Error('Connection terminated unexpectedly');
        corkUntilNextTurn(lane);
        const client = lane.client as unknown as { query: QueryFunction };
        return await (client.query(config as QueryConfig, values) as Promise<unknown>);
      } finally {
        lane.inFlight--;
      }
    };
    return run();
  };
  pool.query = query as typeof pool.query;

  return {
    open: () => lanes.length,
    idle: () => lanes.filter((lane) => lane.inFlight === 0).length,
    close: async () => {
      closed = true;
      await Promise.all(lanes.splice(0).map((lane) => lane.client.end().catch(() => undefined)));
    },
  };
}

type ClientQuery = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** What a BEGIN answers; drizzle reads nothing of it. */
const BEGUN = { command: 'BEGIN', rowCount: null, oid: null, rows: [], fields: [] };
const ROLLED_BACK = { command: 'ROLLBACK', rowCount: null, oid: null, rows: [], fields: [] };

/**
 * Marks a transaction's last statement: on PostgreSQL it is written with the COMMIT behind it, so that
 * a lock it takes is held for the statement and the commit only, not also for the round trip to a busy
 * application in between. Nothing may be sent, and nothing may fail, after it; the transaction's own
 * COMMIT then gets the answer of the one already sent. If the statement fails, PostgreSQL answers that
 * COMMIT with ROLLBACK: nothing is committed, and the statement's error is what the caller sees.
 */
export const THEN_COMMIT = '/* then commit */ ';

const textOf = (config: unknown): string | undefined => {
  if (typeof config === 'string') return config;
  const text = typeof config === 'object' && config !== null ? (config as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : undefined;
};

const parametersOf = (config: unknown, values: unknown): unknown =>
  Array.isArray(values) ? values : typeof config === 'object' && config !== null ? (config as { values?: unknown }).values : undefined;

const COMMANDS = { begin: /^\s*begin\b/i, commit: /^\s*commit\b/i, rollback: /^\s*rollback\b/i };

const isCommand = (config: unknown, values: unknown, command: keyof typeof COMMANDS): boolean => {
  const parameters = parametersOf(config, values);
  return COMMANDS[command].test(textOf(config) ?? '') && (!Array.isArray(parameters) || parameters.length === 0);
};

/**
 * A pooled connection, the one a transaction has to itself, in pipeline mode (the pool opens it with
 * `pipeline: true`). A transaction is a chain of round trips, each a socket write on both sides; here:
 * - BEGIN is held back and written with the transaction's first statement (drizzle waits for BEGIN's
 *   answer before running the transaction's code, so it gets it at once). BEGIN cannot fail on a live
 *   connection; on a lost one, the statement written with it fails too.
 * - The statements a transaction sends without waiting for one another (independent steps under
 *   concurrentSteps) are written together: writes are held until the microtasks that can run have run.
 * - A statement marked THEN_COMMIT is written with the COMMIT.
 * PostgreSQL runs them in order, as before; after a failing statement, the ones written behind it fail
 * ("current transaction is aborted") and the transaction rolls back.
 */
export function pipelineTransactionStatements(client: Client): void {
  const send = client.query.bind(client) as ClientQuery;
  const stream = (client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }).connection.stream;
  let corked = false;
  let heldBegin: { config: unknown; values: unknown } | null = null;
  let sentCommit: Promise<unknown> | null = null;

  const corkUntilTicksRun = () => {
    if (corked) return;
    corked = true;
    stream.cork();
    // Next ticks run once the microtask queue is empty: every statement that could be sent now has been.
    process.nextTick(() => {
      corked = false;
      stream.uncork();
    });
  };

  /** After a THEN_COMMIT statement the transaction is over: only its COMMIT (or a ROLLBACK) may follow. */
  const afterLastStatement = (config: unknown, values: unknown): Promise<unknown> => {
    const commit = sentCommit!;
    sentCommit = null;
    if (isCommand(config, values, 'commit')) return commit;
    if (isCommand(config, values, 'rollback')) return commit.then(() => ROLLED_BACK, () => ROLLED_BACK);
    return Promise.reject(new Error('a statement was sent after the last one of its transaction (marked THEN_COMMIT)'));
  };

  const query: ClientQuery = (config, values, callback) => {
    const promiseStyle = typeof callback !== 'function' && typeof values !== 'function';
    if (promiseStyle && sentCommit) return afterLastStatement(config, values);
    if (promiseStyle && heldBegin === null && isCommand(config, values, 'begin')) {
      heldBegin = { config, values };
      return Promise.resolve(BEGUN);
    }
    corkUntilTicksRun();
    const begin = heldBegin && (send(heldBegin.config, heldBegin.values) as Promise<unknown>);
    heldBegin = null;
    const answer = send(config, values, callback);
    if (promiseStyle && textOf(config)?.startsWith(THEN_COMMIT)) {
      sentCommit = (send('COMMIT') as Promise<{ command?: string }>).then((result) => {
        // PostgreSQL ends a transaction in which a statement failed with ROLLBACK, not with an error.
        if (result.command !== 'COMMIT') throw new Error('the transaction was rolled back instead of committed');
        return result;
      });
      sentCommit.catch(() => undefined);
    }
    if (!begin) return answer;
    if (!promiseStyle) {
      begin.catch(() => undefined);
      return answer;
    }
    return Promise.all([begin, answer as Promise<unknown>]).then(([, result]) => result);
  };
  client.query = query as typeof client.query;
}

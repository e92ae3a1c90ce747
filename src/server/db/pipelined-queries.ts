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

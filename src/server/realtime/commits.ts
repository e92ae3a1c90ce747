// Hears this process's commits of events: LISTEN on the channel that emitEvent() notifies, which the
// database delivers at commit. PGlite runs in this process and delivers to its own listeners; on
// PostgreSQL a dedicated connection listens and is re-opened with a backoff when it drops.
// listenToChannel() does the same for any other channel.
import type { FastifyBaseLogger } from 'fastify';
import type { Client } from 'pg';
import type { DatabaseHandle } from '../db/client.js';
import { COMMIT_CHANNEL } from './events.js';

export interface CommitListener {
  /** False while the connection is down: commits may go unheard, so the log is polled more often. */
  healthy(): boolean;
  close(): Promise<void>;
}

interface PgliteLike {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

export async function listenForCommits(
  database: DatabaseHandle,
  log: FastifyBaseLogger,
  onCommit: (eventId: number) => void,
  onReconnect: () => void,
): Promise<CommitListener> {
  const deliver = (payload: string | undefined) => {
    const id = Number(payload);
    if (Number.isSafeInteger(id) && id > 0) onCommit(id);
  };
  return listenToChannel(database, log, { channel: COMMIT_CHANNEL, name: 'event listener', onNotification: deliver, onReconnect });
}

export interface ChannelListenerOptions {
  channel: string;
  /** For log lines and the connection's application_name. */
  name: string;
  onNotification: (payload: string | undefined) => void;
  /** Called once listening (again): notifications sent while the connection was down were missed. */
  onReconnect: () => void;
}

/**
 * LISTEN on one channel. PGlite delivers in this process; on PostgreSQL a dedicated connection listens
 * and is re-opened with a backoff when it drops (healthy() is false meanwhile).
 */
export async function listenToChannel(database: DatabaseHandle, log: FastifyBaseLogger, options: ChannelListenerOptions): Promise<CommitListener> {
  const { channel, name, onNotification: deliver, onReconnect } = options;
  const databaseUrl = database.url;
  if (database.kind === 'pglite' || !databaseUrl) {
    const client = (database.db as unknown as { $client: PgliteLike }).$client;
    const unlisten = await client.listen(channel, deliver);
    return { healthy: () => true, close: () => unlisten().catch(() => undefined) };
  }

  const { default: pg } = await import('pg');
  let client: Client | null = null;
  let connected = false;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: `skilled-${name.replace(/\s+/g, '-')}` });
    client = next;
    next.on('notification', (message) => deliver(message.payload));
    next.on('error', (error) => {
      if (!closed) log.warn({ err: error }, `${name} connection lost; reconnecting`);
      void next.end().catch(() => undefined);
    });
    next.on('end', () => {
      connected = false;
      if (!closed) scheduleReconnect();
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      connected = true;
      if (attempt > 0) log.info(`${name} connection restored`);
      attempt = 0;
      onReconnect();
    } catch (error) {
      if (!closed) log.warn({ err: error }, `${name} could not connect; retrying`);
      await next.end().catch(() => undefined);
      scheduleReconnect();
    }
  };
  const scheduleReconnect = () => {
    if (closed || timer) return;
    const delay = Math.min(200 * 2 ** attempt++, 5_000);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
  };

  await connect();
  return {
    healthy: () => connected,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}

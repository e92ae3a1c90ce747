// LISTEN on a channel of the database, which delivers a notification when the transaction that sent it
// commits. PGlite runs in this process and delivers to its own listeners; on PostgreSQL a dedicated
// connection listens and is re-opened with a backoff when it drops.
import type { FastifyBaseLogger } from 'fastify';
import type { Client } from 'pg';
import type { DatabaseHandle } from './client.js';

export interface ChannelListener {
  /** False while the connection is down: notifications sent meanwhile are lost. */
  healthy(): boolean;
  close(): Promise<void>;
}

interface PgliteLike {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
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
export async function listenToChannel(database: DatabaseHandle, log: FastifyBaseLogger, options: ChannelListenerOptions): Promise<ChannelListener> {
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

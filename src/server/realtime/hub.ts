// The instance's fan-out: the connections (WebSocket or SSE) open on this instance, and one reader
// that, on every wake-up, reads the committed events after its cursor and hands each to the
// connections that may see it. One reader per instance, not one per connection: a burst of events
// costs a few queries, whatever the number of clients.
//
// Order and completeness: the reader reads committed events in id order without going past one that may
// still commit (CommittedEventReader); it and the end of every replay run one after the other (`serial`),
// and each connection remembers the last id it has dealt with, so a connection gets each visible
// event once, in id order, whether it arrives live or in a replay.
import type { FastifyBaseLogger } from 'fastify';
import type { UserRole } from '../../contract/common.js';
import type { EventType } from '../../contract/events.js';
import type { Database } from '../db/client.js';
import type { SessionValidity } from '../http/session-validity.js';
import {
  canSee,
  CommittedEventReader,
  EVENT_PAGE_SIZE,
  type EventRow,
  isResumable,
  loadMembership,
  readEvents,
  replayCandidates,
  settledLatestEventId,
  type Viewer,
} from './events.js';

/** An event ready to be written to clients: `json` is its `{ id, type, data, at }` envelope. */
export interface OutgoingEvent {
  id: number;
  type: string;
  json: string;
}

export interface Subscriber extends Viewer {
  user: { id: string; role: UserRole; sessionId: string };
  courses: Set<string>;
  /** Only these event types (an SSE topic); null for all. */
  types: ReadonlySet<EventType> | null;
  /** Every visible event up to this id has been sent (or was before the client's resume point). Set by the hub. */
  lastSent: number;
  /** Every visible event after this id, up to lastSent, has been sent on this connection. Set by the hub. */
  floor: number;
  /** A replay is running: live delivery waits, and the replay's end catches up. */
  replaying: boolean;
  /** False once the connection is closing: nothing more is sent. */
  isOpen(): boolean;
  /** Writes at once; a connection whose buffer passes the bound closes itself as too slow. */
  send(event: OutgoingEvent): void;
  /**
   * For replays, which may send a lot at once: resolves true when the send buffer is back under half the
   * bound, false if the client did not read it in time (it is then closed as too slow) or is gone.
   */
  waitForRoom(): Promise<boolean>;
  /** Ends the connection because its session ended (sign-out, suspension, revocation). */
  revoke(reason: string): void;
}

export type ResumeOutcome = { kind: 'resumed' | 'resync'; lastEventId: number };

/** How long a replay waits for a client to read what it was sent before it counts as too slow. */
export const SLOW_CLIENT_TIMEOUT_MS = 5_000;

/** Resolves when `buffered()` is at most `limit`; false when the connection closed or the time ran out. */
export async function waitUntilRead(buffered: () => number, limit: number, isOpen: () => boolean): Promise<boolean> {
  const deadline = Date.now() + SLOW_CLIENT_TIMEOUT_MS;
  while (buffered() > limit) {
    if (!isOpen() || Date.now() > deadline) return false;
    // A timer, not a microtask: the socket gets to flush in between.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return isOpen();
}

/** How soon a held connection's failed catch-up is tried again. */
const CATCH_UP_RETRY_MS = 500;
/**
 * How soon the log is read again when a read stopped at an id that may still commit. Its commit wakes the
 * reader anyway; this is for an id that never will (a rolled-back transaction's).
 */
const MISSING_ID_RECHECK_MS = 20;
/**
 * With no connection open on this instance, the reader only keeps its position: it reads this long after
 * a wake-up, so that a burst of commits costs one read, not one each.
 */
const IDLE_READ_DELAY_MS = 50;

const serialize = (row: EventRow): string =>
  JSON.stringify({ id: String(row.id), type: row.type, data: row.payload, at: row.createdAt.toISOString() });

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private chain: Promise<void> = Promise.resolve();
  private drainQueued = false;
  private stopped = false;
  /** Every event up to this id has been read and fanned out (or will never exist). */
  cursor = 0;
  private readonly reader = new CommittedEventReader();
  private recheck: NodeJS.Timeout | undefined;
  private idleRead: NodeJS.Timeout | undefined;
  /** Connections waiting for a read to give them their starting position. */
  private starting: { subscriber: Subscriber; placed: () => void }[] = [];
  /** Events written to a connection so far, live or replayed (for the metrics). */
  delivered = 0;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
    private readonly retentionMs: number,
  ) {}

  async start(): Promise<void> {
    this.cursor = await settledLatestEventId(this.db);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.recheck);
    clearTimeout(this.idleRead);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * A new connection starts at the current position: it receives what is committed from now on. The
   * position is that of a read of the log made after this call (the next one, shared by every connection
   * added meanwhile), so nothing committed before it is sent as new; resolves once it is known (and the
   * connection added, if still open). `held`: live delivery waits until release() or resume(), so that a
   * resume that follows at once is answered in order (nothing newer first). Nothing is lost meanwhile:
   * the release catches up.
   */
  add(subscriber: Subscriber, options: { held?: boolean } = {}): Promise<void> {
    subscriber.replaying = options.held ?? false;
    if (this.stopped) return Promise.resolve();
    return new Promise((placed) => {
      this.starting.push({ subscriber, placed });
      this.queueDrain();
    });
  }

  /**
   * Ends a hold (or a replay): sends what live delivery went past meanwhile, then goes on live. If the
   * log cannot be read (the database away), the connection stays held and the catch-up is tried again,
   * from what it last got, until it works or the connection ends: live delivery never skips past it.
   */
  release(subscriber: Subscriber): Promise<void> {
    return this.serial(() => this.catchUp(subscriber)).catch((error: unknown) => {
      this.log.warn({ err: error }, 'catching a connection up failed; trying again shortly');
      const retry = setTimeout(() => {
        if (!this.stopped && subscriber.isOpen() && subscriber.replaying) void this.release(subscriber);
      }, CATCH_UP_RETRY_MS);
      retry.unref();
    });
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
  }

  all(): Subscriber[] {
    return [...this.subscribers];
  }

  /** Closes this instance's connections of the user. */
  disconnectUser(userId: string, reason: string): void {
    for (const subscriber of this.subscribers) if (subscriber.user.id === userId) subscriber.revoke(reason);
  }

  /** Re-checks every connection's session: a revoked one is closed, a changed role applies. */
  async revalidate(sessions: SessionValidity): Promise<void> {
    for (const subscriber of this.all()) {
      const state = await sessions.check(subscriber.user.id, subscriber.user.sessionId).catch(() => undefined);
      if (state === null) subscriber.revoke('your session has ended');
      else if (state) subscriber.user.role = state.role;
    }
  }

  /** Something may have been committed (up to `eventId`, when known): read and fan out. */
  wake(eventId?: number): void {
    if (this.stopped || this.drainQueued) return;
    if (eventId !== undefined && eventId <= this.cursor) return;
    if (this.subscribers.size > 0) return this.queueDrain();
    this.idleRead ??= setTimeout(() => {
      this.idleRead = undefined;
      this.queueDrain();
    }, IDLE_READ_DELAY_MS);
    this.idleRead.unref();
  }

  private queueDrain(): void {
    if (this.stopped || this.drainQueued) return;
    this.drainQueued = true;
    this.serial(async () => {
      this.drainQueued = false;
      await this.drain();
    }).catch((error: unknown) => this.log.error({ err: error }, 'reading the event log failed; the next poll retries'));
  }

  /**
   * Sends the visible events after `lastEventId` that this connection has not had, then lets live
   * delivery go on. `done` is told the outcome before any later live event is sent.
   */
  async resume(subscriber: Subscriber, lastEventId: number, done: (outcome: ResumeOutcome) => void): Promise<void> {
    let kind: ResumeOutcome['kind'] = 'resumed';
    try {
      if (lastEventId >= subscriber.floor && lastEventId <= subscriber.lastSent) {
        // Everything after it has been dealt with on this connection already.
      } else if (!(await isResumable(this.db, lastEventId, this.retentionMs))) {
        // An id this log does not hold (pruned, too old, or from another database) cannot be resumed from.
        kind = 'resync';
      } else if (lastEventId > subscriber.lastSent) {
        // The client has seen further (on an instance that was ahead): skip what it has.
        subscriber.lastSent = lastEventId;
      } else {
        subscriber.replaying = true;
        // The bulk, without holding up live delivery to other connections: up to where this one started.
        await this.replay(subscriber, lastEventId, subscriber.floor, true);
        subscriber.floor = lastEventId;
      }
      // The rest, in turn with the live reader: whatever it went past while this connection waited.
      await this.serial(async () => {
        await this.catchUp(subscriber);
        done({ kind, lastEventId: subscriber.lastSent });
      });
    } finally {
      subscriber.replaying = false;
    }
  }

  /** Runs in `serial`. Not paced: a slow client must not hold up the live reader. */
  private async catchUp(subscriber: Subscriber): Promise<void> {
    if (!subscriber.replaying) return;
    await this.replay(subscriber, subscriber.lastSent, this.cursor, false);
    if (subscriber.lastSent < this.cursor) subscriber.lastSent = this.cursor;
    subscriber.replaying = false;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async drain(): Promise<void> {
    // Connections added before this read start where it ends.
    const starting = this.starting.splice(0);
    try {
      await this.readNewEvents();
    } finally {
      for (const { subscriber, placed } of starting) {
        subscriber.lastSent = this.cursor;
        subscriber.floor = this.cursor;
        if (subscriber.isOpen()) this.subscribers.add(subscriber);
        placed();
      }
    }
  }

  private async readNewEvents(): Promise<void> {
    for (;;) {
      const { rows, held } = await this.reader.read(this.db, this.cursor);
      if (held && !this.recheck) {
        this.recheck = setTimeout(() => {
          this.recheck = undefined;
          this.wake();
        }, MISSING_ID_RECHECK_MS);
        this.recheck.unref();
      }
      if (rows.length === 0) return;
      const live = this.all().filter((s) => !s.replaying && s.isOpen());
      await this.deliver(rows, live, { skipSent: true, paced: false });
      this.cursor = rows.at(-1)!.id;
      for (const subscriber of live) if (subscriber.lastSent < this.cursor) subscriber.lastSent = this.cursor;
      if (held || rows.length < EVENT_PAGE_SIZE) return;
    }
  }

  private async replay(subscriber: Subscriber, after: number, upTo: number, paced: boolean): Promise<void> {
    let position = after;
    while (position < upTo && subscriber.isOpen()) {
      const rows = await readEvents(this.db, position, { upTo, where: replayCandidates(subscriber) });
      await this.deliver(rows, [subscriber], { skipSent: false, paced });
      if (rows.length === 0) return;
      position = rows.at(-1)!.id;
      // A catch-up that fails on a later page goes on from here, without sending this page twice.
      if (subscriber.lastSent < position) subscriber.lastSent = position;
      if (rows.length < EVENT_PAGE_SIZE) return;
    }
  }

  /**
   * `skipSent`: leave out what the connection already has (live reads). `paced`: wait for the client to
   * read before sending more (replays of one connection, which may be large).
   */
  private async deliver(rows: EventRow[], subscribers: Subscriber[], options: { skipSent: boolean; paced: boolean }): Promise<void> {
    if (rows.length === 0 || subscribers.length === 0) return;
    const membership = await loadMembership(this.db, rows, subscribers.map((s) => s.user.id));
    for (const row of rows) {
      let json: string | undefined;
      for (const subscriber of subscribers) {
        if (options.skipSent && row.id <= subscriber.lastSent) continue;
        if (subscriber.types && !subscriber.types.has(row.type as EventType)) continue;
        if (!subscriber.isOpen() || !canSee(subscriber, row, membership)) continue;
        if (options.paced && !(await subscriber.waitForRoom())) continue;
        json ??= serialize(row);
        subscriber.send({ id: row.id, type: row.type, json });
        this.delivered++;
      }
    }
  }
}

// The real-time companion of the API client: one WebSocket to `/api/ws` that signs in with the client's
// session, keeps its course subscriptions across reconnects, resumes from the last event it delivered (so
// listeners get each event once, in order) and hands events to listeners typed by the contract. Runs in
// browsers (the global WebSocket) and in Node 20, which has none: pass a constructor, e.g. `ws`'s.
import type { EventPayload, EventType, RealtimeEvent, WsServerMessage } from '../contract/events.js';
import type { ApiClient } from './api-client.js';
import { RealtimeError } from './errors.js';
import {
  compareEventIds,
  OPEN,
  type Outgoing,
  parseServerMessage,
  realtimeUrl,
  UNAUTHENTICATED,
  type WebSocketConstructor,
  type WebSocketLike,
  webSocketConstructor,
} from './realtime-socket.js';

/**
 * `idle` before `connect()`; `connecting` while an attempt runs; `open` once the server is ready;
 * `reconnecting` after a lost connection, until the next attempt; `closed` after `close()` or when the
 * session cannot authenticate any more.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** The close code of the connection that was lost (4401 not authenticated, 1012 server restart, 1006 dropped...). */
  closeCode?: number;
  reason?: string;
  /** When `reconnecting`: the wait before the next attempt. */
  retryInMs?: number;
}

export interface ResyncInfo {
  /** Events up to here are covered by refetching; delivery goes on after it. */
  lastEventId: string;
  reason: string;
}

export type RealtimeEventOf<T extends EventType> = Extract<RealtimeEvent, { type: T }>;

/** Listeners by name: one per event type of the contract (`data` typed by it), and the client's own. */
export type RealtimeListeners = { [T in EventType]: (data: EventPayload<T>, event: RealtimeEventOf<T>) => void } & {
  /** Every event, whatever its type. */
  '*': (event: RealtimeEvent) => void;
  state: (change: StateChange) => void;
  /** Events were missed that the server no longer keeps: refetch what you show. */
  resync: (info: ResyncInfo) => void;
  /** A refused subscription, a session that cannot authenticate, reconnection given up, a server error message. */
  error: (error: RealtimeError) => void;
};
export type RealtimeListenerName = keyof RealtimeListeners;

export interface RealtimeOptions {
  /** Default: the global WebSocket. Node 20 has none: pass one, e.g. `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketConstructor;
  /** Resume after this event id (e.g. one kept from an earlier visit) instead of starting from now. */
  lastEventId?: string;
  /** Reconnection: a random wait up to base × 2^attempt, capped at max (defaults 500 ms and 30 s). */
  reconnectBaseDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Attempts in a row before giving up (default: never give up). */
  maxReconnectAttempts?: number;
  /** A `ping` this often; a connection that answers nothing for a whole interval is replaced. Default 25 s, 0 to turn off. */
  heartbeatIntervalMs?: number;
}

export interface RealtimeClientOptions extends RealtimeOptions {
  /** Its session authenticates the connection (cookie in a browser, access token in scripts) and is refreshed when needed. */
  api: ApiClient;
  /** Default: `/api/ws` at the API client's base URL (the page's origin when that is ''). */
  url?: string;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: RealtimeError): void;
}

/** A promise whose rejection never goes unhandled: awaiting it is optional, `error` listeners hear of failures too. */
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: RealtimeError) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class RealtimeClient {
  private readonly api: ApiClient;
  private readonly options: RealtimeOptions;
  private readonly url: string;
  private readonly Socket: WebSocketConstructor;
  private readonly listeners = new Map<string, Set<unknown>>();
  /** Subscribed courses, with the callers waiting for the server to confirm each. */
  private readonly courses = new Map<string, Deferred[]>();
  private socket: WebSocketLike | undefined;
  private current: ConnectionState = 'idle';
  private lastDelivered: string | undefined;
  /** Events received while a resume runs: delivered, sorted, once it is answered. */
  private buffer: RealtimeEvent[] | undefined;
  private attempts = 0;
  private refreshedAfterRefusal = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private awaitingAnswer = false;
  private connected: Deferred | undefined;
  private stopWatchingSession: (() => void) | undefined;
  private readonly reconnectNow = () => {
    if (this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    void this.open();
  };

  constructor(options: RealtimeClientOptions) {
    const { api, url, ...rest } = options;
    this.api = api;
    this.options = rest;
    this.url = url ?? realtimeUrl(api.connectionInfo().baseUrl);
    this.Socket = webSocketConstructor(rest.WebSocket);
    this.lastDelivered = rest.lastEventId;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The id of the last event handed to listeners: keep it to resume from in a later visit. */
  get lastEventId(): string | undefined {
    return this.lastDelivered;
  }

  get subscriptions(): string[] {
    return [...this.courses.keys()];
  }

  /**
   * Opens the connection (again after `close()`); resolves once the server is ready. Lost connections are
   * reopened by themselves; the promise rejects only when the client stops (closed, session ended, gave up).
   */
  connect(): Promise<void> {
    if (this.current === 'open') return Promise.resolve();
    this.connected ??= deferred();
    if (this.current === 'idle' || this.current === 'closed') {
      this.attempts = 0;
      this.refreshedAfterRefusal = false;
      this.stopWatchingSession = this.api.onSessionEnd(() =>
        this.stop(new RealtimeError('UNAUTHENTICATED', 'The session has ended: sign in again', undefined, UNAUTHENTICATED)),
      );
      if (typeof window !== 'undefined') window.addEventListener('online', this.reconnectNow);
      void this.open();
    }
    return this.connected.promise;
  }

  /** Stops for good (until `connect()`): no reconnection, no more events. */
  close(): void {
    this.stop(undefined);
  }

  /**
   * Receives the course's events from now on, and again after every reconnect. Resolves when the server
   * confirms; rejects with a RealtimeError (`FORBIDDEN`, `COURSE_NOT_FOUND`) when it refuses, which also
   * goes to `error` listeners. Connects if not connected yet.
   */
  subscribe(courseId: string): Promise<void> {
    const waiter = deferred();
    this.courses.set(courseId, [...(this.courses.get(courseId) ?? []), waiter]);
    if (this.current === 'open') this.send({ type: 'subscribe', courseId });
    else if (this.current === 'idle' || this.current === 'closed') void this.connect();
    return waiter.promise;
  }

  unsubscribe(courseId: string): void {
    const waiters = this.courses.get(courseId) ?? [];
    this.courses.delete(courseId);
    for (const waiter of waiters) waiter.reject(new RealtimeError('UNSUBSCRIBED', 'Unsubscribed before the server confirmed', courseId));
    this.send({ type: 'unsubscribe', courseId });
  }

  /** Adds a listener; returns the way to remove it. */
  on<K extends RealtimeListenerName>(name: K, listener: RealtimeListeners[K]): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => this.off(name, listener);
  }

  off<K extends RealtimeListenerName>(name: K, listener: RealtimeListeners[K]): void {
    this.listeners.get(name)?.delete(listener);
  }

  private emit(name: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        (listener as (...values: unknown[]) => void)(...args);
      } catch (error) {
        // A failing listener must not keep the others (or the connection) from their events.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private setState(state: ConnectionState, detail: Omit<StateChange, 'state' | 'previous'> = {}): void {
    const previous = this.current;
    this.current = state;
    this.emit('state', { state, previous, ...detail } satisfies StateChange);
  }

  private send(message: Outgoing): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private async open(): Promise<void> {
    this.setState('connecting');
    const { authMode } = this.api.connectionInfo();
    let token: string | undefined;
    if (authMode === 'bearer') {
      // Never in the URL: the token goes in the first message, fresh enough for the server to accept it.
      try {
        token = await this.api.freshAccessToken();
      } catch {
        // Expired and the server is out of reach: a connection could only be refused.
        if (this.current === 'connecting') this.scheduleReconnect(1006, 'the session could not be refreshed');
        return;
      }
      if (this.current !== 'connecting') return;
      if (!token) {
        this.stop(new RealtimeError('UNAUTHENTICATED', 'No session to connect with: sign in first'));
        return;
      }
    } else if (this.attempts > 0) {
      await this.renewCookieSession();
      if (this.current !== 'connecting') return;
    }
    const socket = new this.Socket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket === socket && token) this.send({ type: 'auth', token });
    });
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener('close', (event) => this.lost(socket, event.code ?? 1006, event.reason ?? ''));
    // A close event follows every error; without a listener, Node's `ws` would throw it.
    socket.addEventListener('error', () => undefined);
  }

  /**
   * A browser sends its access cookie at the upgrade, and an expired one would only be refused after the
   * server's wait for an `auth` message. Before reconnecting, renew it if the server no longer knows us.
   */
  private async renewCookieSession(): Promise<void> {
    try {
      const check = await this.api.get<{ authenticated: boolean }>('/api/auth/check', undefined, { retry: false });
      if (!check.authenticated) await this.api.refreshSession();
    } catch {
      // Unreachable: the connection attempt will find out too.
    }
  }

  private receive(raw: unknown): void {
    const message = parseServerMessage(raw);
    if (!message) return;
    this.awaitingAnswer = false;
    if ('id' in message) {
      if (this.buffer) this.buffer.push(message);
      else this.deliver(message);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready(message.lastEventId);
        return;
      case 'subscribed':
        for (const waiter of this.courses.get(message.courseId)?.splice(0) ?? []) waiter.resolve();
        return;
      case 'resumed':
        this.flush();
        return;
      case 'resync':
        this.resync(message);
        return;
      case 'error':
        this.refused(new RealtimeError(message.code, message.message, message.courseId));
        return;
      default:
        // pong, unsubscribed: nothing to do beyond knowing the connection is alive.
        return;
    }
  }

  /**
   * Subscriptions first, then the resume: the server replays what the subscribed courses missed, then goes
   * on live. Until it answers, events are held back and then delivered sorted, so order holds whatever the
   * server's pacing.
   */
  private ready(serverPosition: string): void {
    this.attempts = 0;
    this.refreshedAfterRefusal = false;
    for (const courseId of this.courses.keys()) this.send({ type: 'subscribe', courseId });
    this.buffer = [];
    this.send({ type: 'resume', lastEventId: this.lastDelivered ?? serverPosition });
    this.startHeartbeat();
    this.setState('open');
    this.connected?.resolve();
    this.connected = undefined;
  }

  private deliver(event: RealtimeEvent): void {
    // Ids only grow: one not above the last delivered was delivered before (a replay after a reconnect).
    if (this.lastDelivered !== undefined && compareEventIds(event.id, this.lastDelivered) <= 0) return;
    this.lastDelivered = event.id;
    this.emit(event.type, event.data, event);
    this.emit('*', event);
  }

  private flush(): void {
    const held = (this.buffer ?? []).sort((a, b) => compareEventIds(a.id, b.id));
    this.buffer = undefined;
    for (const event of held) this.deliver(event);
  }

  private resync(message: Extract<WsServerMessage, { type: 'resync' }>): void {
    // The server's position may lie below ours (another database): start over from it.
    this.lastDelivered = undefined;
    this.flush();
    this.lastDelivered = message.lastEventId;
    this.emit('resync', { lastEventId: message.lastEventId, reason: message.reason } satisfies ResyncInfo);
  }

  private refused(error: RealtimeError): void {
    if (error.courseId !== undefined && this.courses.has(error.courseId)) {
      for (const waiter of this.courses.get(error.courseId) ?? []) waiter.reject(error);
      this.courses.delete(error.courseId);
    }
    this.emit('error', error);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const every = this.options.heartbeatIntervalMs ?? 25_000;
    if (every <= 0) return;
    this.awaitingAnswer = false;
    this.heartbeatTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (this.awaitingAnswer) {
        // Nothing came back for a whole interval: the connection is dead even if no close came.
        socket.close();
        this.lost(socket, 1006, 'no answer to the heartbeat');
        return;
      }
      this.awaitingAnswer = true;
      this.send({ type: 'ping' });
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private lost(socket: WebSocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.stopHeartbeat();
    // Held events were not delivered: the next resume starts before them.
    this.buffer = undefined;
    if (this.current === 'closed') return;
    if (code === UNAUTHENTICATED) void this.afterRefusal(code, reason);
    else this.scheduleReconnect(code, reason);
  }

  /** Refused as unauthenticated (expired token or cookie, or the session ended): refresh once, then reconnect. */
  private async afterRefusal(code: number, reason: string): Promise<void> {
    const { authMode } = this.api.connectionInfo();
    if (authMode === 'bearer' && !this.api.getTokens()?.refreshToken) {
      this.stop(new RealtimeError('UNAUTHENTICATED', `The server refused the session (${reason}) and it cannot be refreshed`, undefined, code));
      return;
    }
    if (this.refreshedAfterRefusal) {
      this.scheduleReconnect(code, reason);
      return;
    }
    this.refreshedAfterRefusal = true;
    this.setState('reconnecting', { closeCode: code, reason, retryInMs: 0 });
    const refreshed = await this.api.refreshSession();
    // A refused refresh ends the session, and onSessionEnd has stopped this client.
    if (this.current !== 'reconnecting') return;
    if (refreshed) void this.open();
    else this.scheduleReconnect(code, reason);
  }

  private scheduleReconnect(code: number, reason: string): void {
    if (this.attempts >= (this.options.maxReconnectAttempts ?? Number.POSITIVE_INFINITY)) {
      this.stop(new RealtimeError('RECONNECT_FAILED', `No connection after ${this.attempts} attempts`, undefined, code));
      return;
    }
    // Exponential backoff with full jitter: clients dropped together do not come back together.
    const ceiling = Math.min(this.options.reconnectMaxDelayMs ?? 30_000, (this.options.reconnectBaseDelayMs ?? 500) * 2 ** this.attempts);
    const delay = Math.round(Math.random() * ceiling);
    this.attempts++;
    this.setState('reconnecting', { closeCode: code, reason, retryInMs: delay });
    this.reconnectTimer = setTimeout(this.reconnectNow, delay);
  }

  private stop(error: RealtimeError | undefined): void {
    if (this.current === 'closed') return;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopHeartbeat();
    this.stopWatchingSession?.();
    this.stopWatchingSession = undefined;
    if (typeof window !== 'undefined') window.removeEventListener('online', this.reconnectNow);
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState <= OPEN) socket.close(1000, 'client closed');
    this.buffer = undefined;
    const reason = error ?? new RealtimeError('CLOSED', 'The real-time client was closed');
    for (const waiters of this.courses.values()) for (const waiter of waiters.splice(0)) waiter.reject(reason);
    this.setState('closed', error ? { reason: error.message, ...(error.closeCode ? { closeCode: error.closeCode } : {}) } : {});
    if (error) this.emit('error', error);
    this.connected?.reject(reason);
    this.connected = undefined;
  }
}

// The WebSocket endpoint `/api/ws`: authentication (the access cookie or bearer header at the upgrade,
// or `{ type: 'auth', token }` as the first message), course subscriptions, resume, heartbeats, and a
// bound on what a slow client may make the server hold.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { ErrorResponse } from '../../contract/errors.js';
import { EventIdInput, wsCloseCodes, WsClientMessage, type WsServerMessage } from '../../contract/events.js';
import type { Database } from '../db/client.js';
import { ACCESS_COOKIE, type AuthUser } from '../http/auth.js';
import { AppError } from '../http/errors.js';
import type { SessionValidity } from '../http/session-validity.js';
import type { TokenSigner } from '../http/tokens.js';
import { findActiveEnrollment, findCourse, isCourseStaff } from '../features/courses/policy.js';
import { type EventHub, type OutgoingEvent, type ResumeOutcome, type Subscriber, waitUntilRead } from './hub.js';

/** How long an unauthenticated socket may stay open waiting for its `auth` message. */
export const AUTH_TIMEOUT_MS = 5_000;
/** How long after `ready` live delivery waits for a `resume` (see WsConnection.start). */
export const RESUME_GRACE_MS = 500;
/** After a close frame, how long a peer that does not answer keeps its socket. */
const CLOSE_GRACE_MS = 5_000;
const MAX_SUBSCRIPTIONS = 200;
/** The largest message a client may send; a larger one closes the socket (1009). */
export const WS_MAX_MESSAGE_BYTES = 16 * 1024;

export interface WebSocketDeps {
  db: Database;
  hub: EventHub;
  signer: TokenSigner;
  sessions: SessionValidity;
  maxBufferedBytes: number;
}

type SessionUser = Subscriber['user'];

class WsConnection implements Subscriber {
  user: SessionUser = { id: '', role: 'student', sessionId: '' };
  courses = new Set<string>();
  memberCourses = false;
  types = null;
  lastSent = 0;
  floor = 0;
  replaying = false;
  private started = false;
  private closing = false;
  private alive = true;
  private inbox: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  /** A resume point given at the upgrade (`?lastEventId=`), applied once the `auth` message arrives. */
  private pendingResume: number | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: WebSocketDeps,
    private readonly registry: Set<WsConnection>,
    private readonly request: FastifyRequest,
    upgradeUser: AuthUser | null,
    resumeFrom: number | undefined,
  ) {
    registry.add(this);
    socket.on('message', (data, isBinary) => this.enqueue(() => this.receive(data.toString(), isBinary)));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.cleanup());
    if (upgradeUser) {
      this.enqueue(() => this.start(upgradeUser, resumeFrom));
    } else {
      this.authTimer = setTimeout(() => this.close(wsCloseCodes.unauthenticated, 'authentication required'), AUTH_TIMEOUT_MS);
      this.authTimer.unref();
      this.pendingResume = resumeFrom;
    }
  }

  isOpen(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  send(event: OutgoingEvent): void {
    this.write(event.json);
  }

  async waitForRoom(): Promise<boolean> {
    const room = await waitUntilRead(() => this.socket.bufferedAmount, this.deps.maxBufferedBytes / 2, () => this.isOpen());
    if (!room) this.tooSlow();
    return room;
  }

  revoke(reason: string): void {
    this.close(wsCloseCodes.unauthenticated, reason);
  }

  /** Called on every heartbeat tick: a peer that did not answer the last ping is gone. */
  heartbeat(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.hub.remove(this);
    if (this.authTimer) clearTimeout(this.authTimer);
    this.socket.close(code, reason);
    // A peer that reads nothing never answers the close frame: do not keep its socket (and buffer) for long.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private cleanup(): void {
    this.closing = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.deps.hub.remove(this);
    this.registry.delete(this);
  }

  private write(json: string): void {
    if (!this.isOpen()) return;
    this.socket.send(json);
    // A client that reads slower than events come would make this buffer grow without end.
    if (this.socket.bufferedAmount > this.deps.maxBufferedBytes) this.tooSlow();
  }

  private tooSlow(): void {
    if (this.closing) return;
    this.request.log.warn({ userId: this.user.id, buffered: this.socket.bufferedAmount }, 'closing a websocket client that reads too slowly');
    this.close(wsCloseCodes.tryAgainLater, 'client too slow: reconnect and resume');
  }

  private reply(message: WsServerMessage): void {
    this.write(JSON.stringify(message));
  }

  private error(code: string, message: string, courseId?: string): void {
    this.reply(courseId ? { type: 'error', code, message, courseId } : { type: 'error', code, message });
  }

  /** Messages are handled one at a time, in the order they came. */
  private enqueue(task: () => Promise<void>): void {
    this.inbox = this.inbox.then(task).catch((error: unknown) => {
      this.request.log.error({ err: error }, 'websocket message failed');
      this.error('INTERNAL_ERROR', 'Internal server error');
    });
  }

  /**
   * Live delivery starts held: a client that reconnects sends `resume` right after `ready` (after its
   * `subscribe`s), and must get the missed events before any newer one. The hold ends with that resume,
   * with any other message but a subscription change, or after RESUME_GRACE_MS; nothing is lost meanwhile.
   */
  private async start(user: SessionUser, resumeFrom: number | undefined): Promise<void> {
    if (this.closing) return;
    this.user = { id: user.id, role: user.role, sessionId: user.sessionId };
    this.started = true;
    await this.deps.hub.add(this, { held: true });
    if (this.closing) return;
    this.reply({ type: 'ready', userId: user.id, lastEventId: String(this.lastSent) });
    if (resumeFrom !== undefined) {
      await this.resume(resumeFrom);
      return;
    }
    this.holdTimer = setTimeout(() => this.enqueue(() => this.endHold()), RESUME_GRACE_MS);
    this.holdTimer.unref();
  }

  private async endHold(): Promise<void> {
    if (!this.holdTimer) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    await this.deps.hub.release(this);
  }

  private async resume(lastEventId: number): Promise<void> {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    await this.deps.hub.resume(this, lastEventId, (outcome: ResumeOutcome) => this.resumed(outcome)).catch((error: unknown) => {
      // Part of the replay may have been sent: a clean reconnect and resume is the only exact way on.
      this.request.log.error({ err: error }, 'websocket replay failed');
      this.close(1011, 'internal error: reconnect and resume');
    });
  }

  private resumed(outcome: ResumeOutcome): void {
    if (outcome.kind === 'resync') {
      this.reply({
        type: 'resync',
        lastEventId: String(outcome.lastEventId),
        reason: 'events after this id are no longer kept: refetch, then continue from lastEventId',
      });
    } else {
      this.reply({ type: 'resumed', lastEventId: String(outcome.lastEventId) });
    }
  }

  private async receive(raw: string, isBinary: boolean): Promise<void> {
    if (this.closing) return;
    let parsed: ReturnType<typeof WsClientMessage.safeParse> | undefined;
    try {
      parsed = isBinary ? undefined : WsClientMessage.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!this.started) {
      if (!parsed?.success || parsed.data.type !== 'auth') {
        this.close(wsCloseCodes.unauthenticated, 'authentication required: send { type: "auth", token } first');
        return;
      }
      const claims = await this.deps.signer.verifyAccess(parsed.data.token);
      const session = claims ? await this.deps.sessions.check(claims.userId, claims.sessionId) : null;
      if (!claims || !session) {
        this.close(wsCloseCodes.unauthenticated, 'invalid or expired token');
        return;
      }
      if (this.authTimer) clearTimeout(this.authTimer);
      await this.start({ id: claims.userId, role: session.role, sessionId: claims.sessionId }, parsed.data.lastEventId ?? this.pendingResume);
      return;
    }
    if (!parsed) {
      await this.endHold();
      this.error('INVALID_JSON', 'Messages are JSON objects with a type');
      return;
    }
    if (!parsed.success) {
      await this.endHold();
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'message';
      this.error('VALIDATION_ERROR', `Invalid message: ${where} ${issue?.message ?? 'is invalid'}`);
      return;
    }
    const message = parsed.data;
    // Subscriptions may come before the resume, so that the replay covers the courses they add.
    if (message.type !== 'resume' && message.type !== 'subscribe' && message.type !== 'unsubscribe') await this.endHold();
    switch (message.type) {
      case 'auth':
        this.error('BAD_REQUEST', 'Already authenticated');
        return;
      case 'ping':
        this.reply({ type: 'pong' });
        return;
      case 'resume':
        await this.resume(message.lastEventId);
        return;
      case 'unsubscribe':
        this.courses.delete(message.courseId);
        this.reply({ type: 'unsubscribed', courseId: message.courseId });
        return;
      case 'subscribe':
        await this.subscribe(message.courseId);
        return;
    }
  }

  /** Members only: the course's active students, its instructor, admins. */
  private async subscribe(courseId: string): Promise<void> {
    if (!this.courses.has(courseId) && this.courses.size >= MAX_SUBSCRIPTIONS) {
      this.error('BAD_REQUEST', `At most ${MAX_SUBSCRIPTIONS} course subscriptions per connection`, courseId);
      return;
    }
    try {
      const course = await findCourse(this.deps.db, courseId);
      const member = isCourseStaff(this.user, course) || Boolean(await findActiveEnrollment(this.deps.db, this.user.id, courseId));
      if (!member) throw new AppError('FORBIDDEN', 'Only members of the course (its students, its instructor, admins) may subscribe to it');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.error(error.code, error.message, courseId);
      return;
    }
    this.courses.add(courseId);
    this.reply({ type: 'subscribed', courseId });
  }
}

/**
 * A browser sends cookies with a cross-site WebSocket too: a cookie counts only from our own origin or
 * one listed in CORS_ORIGINS.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  return request.server.originPolicy.allows(origin, request);
}

function upgradeUser(request: FastifyRequest): AuthUser | null {
  if (!request.user) return null;
  const byCookieOnly = !request.headers.authorization && Boolean(request.cookies[ACCESS_COOKIE]);
  return byCookieOnly && !sameOrigin(request) ? null : request.user;
}

export const WsQuery = z.object({
  lastEventId: EventIdInput.optional().describe('Resume after this event as soon as the connection is authenticated'),
});

export function registerWebSocketRoute(
  app: FastifyInstance,
  deps: WebSocketDeps,
): { heartbeat(): void; closeAll(code: number, reason: string): void; count(): number } {
  const connections = new Set<WsConnection>();
  app.get(
    '/api/ws',
    {
      websocket: true,
      // OpenAPI cannot describe a WebSocket protocol; the README does. Hidden here so that the route
      // table (which is registered before @fastify/websocket hides the route itself) skips it too.
      schema: { hide: true, querystring: WsQuery, response: { 400: ErrorResponse } },
    },
    (socket, request) => {
      const query = request.query as z.infer<typeof WsQuery>;
      new WsConnection(socket, deps, connections, request, upgradeUser(request), query.lastEventId);
    },
  );
  return {
    heartbeat: () => {
      for (const connection of connections) connection.heartbeat();
    },
    closeAll: (code, reason) => {
      for (const connection of connections) connection.close(code, reason);
    },
    count: () => connections.size,
  };
}

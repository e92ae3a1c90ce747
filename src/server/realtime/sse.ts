// Server-Sent Events: `GET /api/events/assignments`, `/notifications`, `/course-progress`. The same events
// as the WebSocket, filtered by topic, for clients that only listen. Each event is `id:` + `event:` (its
// type) + `data:` (the `{ id, type, data, at }` envelope); `Last-Event-ID` resumes; comments keep idle
// connections (and the proxies in between) open.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorResponse } from '../../contract/errors.js';
import { EventStreamHeaders, EventStreamQuery, type EventTopic, eventTopics, type EventType } from '../../contract/events.js';
import { currentUser, requireAuth } from '../http/auth.js';
import { type EventHub, type OutgoingEvent, type ResumeOutcome, type Subscriber, waitUntilRead } from './hub.js';

/** The reconnection delay suggested to browsers. */
const RETRY_MS = 2_000;

export interface EventStreamDeps {
  hub: EventHub;
  maxBufferedBytes: number;
  keepAliveMs: number;
}

class SseConnection implements Subscriber {
  courses = new Set<string>();
  // A stream has no way to subscribe: it carries the course events of every course the user belongs to.
  memberCourses = true;
  lastSent = 0;
  floor = 0;
  replaying = false;
  private closed = false;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    readonly user: Subscriber['user'],
    readonly types: ReadonlySet<EventType>,
    private readonly deps: EventStreamDeps,
    private readonly registry: Set<SseConnection>,
  ) {
    registry.add(this);
    res.on('close', () => this.cleanup());
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), deps.keepAliveMs);
    this.keepAlive.unref();
  }

  isOpen(): boolean {
    return !this.closed && !this.res.destroyed && this.res.writable;
  }

  send(event: OutgoingEvent): void {
    this.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${event.json}\n\n`);
  }

  async waitForRoom(): Promise<boolean> {
    const room = await waitUntilRead(() => this.res.writableLength, this.deps.maxBufferedBytes / 2, () => this.isOpen());
    if (!room) this.tooSlow();
    return room;
  }

  revoke(reason: string): void {
    this.write(`event: error\ndata: ${JSON.stringify({ type: 'error', code: 'UNAUTHENTICATED', message: reason })}\n\n`);
    this.end();
  }

  resumed(outcome: ResumeOutcome): void {
    const id = String(outcome.lastEventId);
    if (outcome.kind === 'resync') {
      // The id line moves the client's Last-Event-ID past what it can no longer get.
      const reason = 'events after your last id are no longer kept: refetch, then continue';
      this.write(`id: ${id}\nevent: resync\ndata: ${JSON.stringify({ type: 'resync', lastEventId: id, reason })}\n\n`);
    } else {
      this.write(`event: resumed\ndata: ${JSON.stringify({ type: 'resumed', lastEventId: id })}\n\n`);
    }
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }

  private write(chunk: string): void {
    if (!this.isOpen()) return;
    this.res.write(chunk);
    // A client that reads slower than events come would make this buffer grow without end.
    if (this.res.writableLength > this.deps.maxBufferedBytes) this.tooSlow();
  }

  /** Cut off: what is buffered is dropped, and the client reconnects with its Last-Event-ID. */
  private tooSlow(): void {
    if (this.res.destroyed) return;
    this.closed = true;
    this.res.destroy();
  }

  private cleanup(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
    this.deps.hub.remove(this);
    this.registry.delete(this);
  }
}

const streams: { topic: EventTopic; operationId: string; summary: string }[] = [
  {
    topic: 'assignments',
    operationId: 'streamAssignmentEvents',
    summary: 'Assignment events (assignment.submitted, assignment.graded) as Server-Sent Events',
  },
  {
    topic: 'notifications',
    operationId: 'streamNotificationEvents',
    summary: 'Notification events (notification.new, message.received, announcement.posted, achievement.earned) as Server-Sent Events',
  },
  {
    topic: 'course-progress',
    operationId: 'streamCourseProgressEvents',
    summary: 'Progress events (lesson.completed, course.updated) as Server-Sent Events',
  },
];

const description =
  'A `text/event-stream` that stays open. Each event: `id: <event id>`, `event: <type>`, `data: { id, type, data, at }` ' +
  '(the event catalogue and its payloads are in the README, "Real-time events"). The caller receives the events addressed to them, those of the courses they ' +
  'belong to, and, for course staff, the staff events of their courses. Reconnect with `Last-Event-ID` (browsers do it ' +
  'by themselves) to receive what was missed, in order; `event: resync` means it is no longer kept: refetch. ' +
  'Comment lines (`: keep-alive`) come every 15 seconds by default.';

export function registerEventStreams(app: FastifyInstance, deps: EventStreamDeps): { closeAll(): void; count(): number } {
  const connections = new Set<SseConnection>();
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const stream of streams) {
    const types = new Set(eventTopics[stream.topic]);
    typed.get(
      `/api/events/${stream.topic}`,
      {
        // A stream has no meaningful HEAD.
        exposeHeadRoute: false,
        preHandler: requireAuth(),
        schema: {
          operationId: stream.operationId,
          tags: ['events'],
          summary: stream.summary,
          description,
          querystring: EventStreamQuery,
          headers: EventStreamHeaders,
          response: {
            200: {
              description: 'The event stream',
              content: { 'text/event-stream': { schema: z.string().describe('Server-Sent Events') } },
            },
            400: ErrorResponse,
            401: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const resumeFrom = request.headers['last-event-id'] ?? request.query.lastEventId;
        reply.hijack();
        const res = reply.raw;
        // Headers set by hooks (request id, security headers) are not sent by a hijacked reply by themselves.
        for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          // nginx and others buffer responses unless told not to.
          'x-accel-buffering': 'no',
        });
        // Sent at once, so that clients and proxies see the stream open before the first event.
        res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
        const connection = new SseConnection(res, { id: user.id, role: user.role, sessionId: user.sessionId }, types, deps, connections);
        if (!connection.isOpen()) return;
        // A stream's resume point comes with the request: held only until that replay is done.
        await deps.hub.add(connection, { held: resumeFrom !== undefined });
        if (resumeFrom === undefined || !connection.isOpen()) return;
        try {
          await deps.hub.resume(connection, resumeFrom, (outcome) => connection.resumed(outcome));
        } catch (error) {
          // The client reconnects with the same Last-Event-ID and tries again.
          request.log.error({ err: error }, 'event stream replay failed');
          connection.end();
        }
      },
    );
  }
  return {
    closeAll: () => {
      for (const connection of connections) connection.end();
    },
    count: () => connections.size,
  };
}

// Real-time clients for tests: a WebSocket client (the `ws` package) that authenticates and collects every
// message, and a Server-Sent Events reader over plain HTTP. Both keep what they received and let a test
// wait for a message.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { api, baseUrl, courseWithStudent, createLesson, type TestUser } from './api.js';

export interface WsClient {
  ws: WebSocket;
  /** Every JSON message received, in order. */
  messages: any[];
  /** The event messages (those with an id), in order. */
  events(): any[];
  /** Resolves with the first message (received before or after the call) that matches. */
  waitFor(predicate: (message: any) => boolean, timeoutMs?: number, what?: string): Promise<any>;
  send(message: unknown): void;
  /** The close code and reason, once closed. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export interface WsOptions {
  /** Server root (http://…); the test server by default. */
  url?: string;
  token?: string;
  /** How the token is sent: the first message (default), the access cookie, the bearer header; or not at all. */
  auth?: 'message' | 'cookie' | 'header' | 'none';
  lastEventId?: string | number;
  /** Extra query string, e.g. `{ lastEventId }`. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** `false` makes a dead peer: pings go unanswered. */
  autoPong?: boolean;
}

const toWsUrl = (root: string, query?: Record<string, string>) => {
  const url = new URL('/api/ws', root);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url.toString();
};

/** Opens a socket; unless `auth: 'none'`, resolves once the server said `ready`. */
export async function connectWs(options: WsOptions = {}): Promise<WsClient> {
  const auth = options.auth ?? (options.token ? 'message' : 'none');
  const headers: Record<string, string> = { ...options.headers };
  if (auth === 'cookie') headers.cookie = `skilled_access=${options.token}`;
  if (auth === 'header') headers.authorization = `Bearer ${options.token}`;
  const ws = new WebSocket(toWsUrl(options.url ?? baseUrl(), options.query), { headers, autoPong: options.autoPong ?? true });
  const messages: any[] = [];
  const waiters = new Set<{ predicate: (m: any) => boolean; resolve: (m: any) => void }>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    messages.push(message);
    for (const waiter of waiters) {
      if (waiter.predicate(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`websocket upgrade answered ${res.statusCode}`)));
    ws.once('error', reject);
  });

  const client: WsClient = {
    ws,
    messages,
    events: () => messages.filter((m) => typeof m.id === 'string'),
    waitFor(predicate, timeoutMs = 5_000, what = 'message') {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (m: any) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms; received: ${JSON.stringify(messages).slice(0, 2000)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    send: (message) => ws.send(JSON.stringify(message)),
    closed,
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  if (auth === 'none') return client;
  if (auth === 'message') {
    client.send({ type: 'auth', token: options.token, ...(options.lastEventId !== undefined ? { lastEventId: options.lastEventId } : {}) });
  }
  await client.waitFor((m) => m.type === 'ready', 5_000, 'ready');
  return client;
}

/** Event messages of one type whose data matches. */
export const isEvent = (type: string, data: Record<string, unknown> = {}) => (message: any) =>
  message.type === type && typeof message.id === 'string' && Object.entries(data).every(([k, v]) => message.data?.[k] === v);

/** Wait briefly, for assertions that something did not happen (after a marker proved delivery got this far). */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- Server-Sent Events

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  /** The parsed JSON of `data`, when it is JSON. */
  json?: any;
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** Frames with data, in order. */
  frames: SseFrame[];
  /** Comment lines (`: …`). */
  comments: string[];
  /** Everything received, as text. */
  raw(): string;
  waitFor(predicate: (frame: SseFrame) => boolean, timeoutMs?: number, what?: string): Promise<SseFrame>;
  /** The body, for a response that is not a stream (an error). */
  body(): Promise<string>;
  ended: Promise<void>;
  close(): void;
}

export interface SseOptions {
  url?: string;
  token?: string;
  cookie?: boolean;
  lastEventId?: string | number;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Opens `GET <path>` and reads it as an event stream; resolves once the response head arrived. */
export function openSse(path: string, options: SseOptions = {}): Promise<SseClient> {
  const url = new URL(path, options.url ?? baseUrl());
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.token && options.cookie) headers.cookie = `skilled_access=${options.token}`;
  else if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);

  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let text = '';
      let pending = '';
      const frames: SseFrame[] = [];
      const comments: string[] = [];
      const waiters = new Set<{ predicate: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }>();
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => done());
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        let boundary: number;
        while ((boundary = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, boundary);
          pending = pending.slice(boundary + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              comments.push(line.slice(1).trim());
              continue;
            }
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
            else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value;
          }
          if (frame.retry !== undefined && frame.data === undefined) frames.push(frame);
          if (frame.data === undefined) continue;
          try {
            frame.json = JSON.parse(frame.data);
          } catch {
            // not JSON
          }
          frames.push(frame);
          for (const waiter of waiters) {
            if (waiter.predicate(frame)) {
              waiters.delete(waiter);
              waiter.resolve(frame);
            }
          }
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        comments,
        raw: () => text,
        waitFor(predicate, timeoutMs = 5_000, what = 'event') {
          const found = frames.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const waiter = {
              predicate,
              resolve: (f: SseFrame) => {
                clearTimeout(timer);
                ok(f);
              },
            };
            const timer = setTimeout(() => {
              waiters.delete(waiter);
              fail(new Error(`no ${what} within ${timeoutMs} ms; received: ${text.slice(0, 2000)}`));
            }, timeoutMs);
            waiters.add(waiter);
          });
        },
        body: async () => {
          await ended;
          return text;
        },
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** SSE frames of one event type whose data matches. */
export const isSseEvent = (type: string, data: Record<string, unknown> = {}) => (frame: SseFrame) =>
  frame.event === type && Object.entries(data).every(([k, v]) => frame.json?.data?.[k] === v);

// ---- Causing events through the API


/** Completes a lesson as the student; the completion emits `lesson.completed`. */
export async function completeLesson(student: Pick<TestUser, 'token'>, lessonId: string, root?: string): Promise<void> {
  const res = root
    ? await fetch(new URL('/api/lessons/complete', root), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${student.token}` },
        body: JSON.stringify({ lessonId }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }))
    : await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId } });
  if (res.status !== 201) throw new Error(`complete lesson failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A course with `lessons` lessons and an enrolled student, ready to emit that many lesson.completed events. */
export async function courseForEvents(lessons = 3) {
  const setup = await courseWithStudent({ lessons: 1, assignments: 0 });
  const lessonIds = [setup.lessons[0]!.lessonId];
  for (let i = 1; i < lessons; i++) lessonIds.push((await createLesson(setup.instructor, setup.course.courseId)).lessonId);
  return { ...setup, lessonIds, courseId: setup.course.courseId as string };
}

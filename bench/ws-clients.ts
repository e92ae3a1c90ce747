// A pool of WebSocket clients in a process of its own (so that their work does not slow the process
// that times the broadcasts). Driven over IPC by bench/realtime.ts:
//   parent → { kind: 'connect', url, tokens, courseId, count }   child → { kind: 'connected', count, failed, ms }
//   parent → { kind: 'expect', marker, deadlineMs }               child → { kind: 'delivered', marker, arrivals, missing }
//   parent → { kind: 'close' }
// Arrival times are wall-clock milliseconds (timeOrigin + now), comparable with the parent's clock.
import WebSocket from 'ws';

type ParentMessage =
  | { kind: 'connect'; url: string; tokens: string[]; courseId: string; count: number }
  | { kind: 'expect'; marker: string; deadlineMs: number }
  | { kind: 'close' };

const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
/** Per marker: arrival times, and the resolver of its report. */
const expected = new Map<string, { arrivals: number[]; timer: NodeJS.Timeout }>();
const early = new Map<string, number[]>();
const send = (message: unknown) => process.send?.(message);
const CONNECT_CONCURRENCY = 200;

function report(marker: string): void {
  const entry = expected.get(marker);
  if (!entry) return;
  clearTimeout(entry.timer);
  expected.delete(marker);
  send({ kind: 'delivered', marker, arrivals: entry.arrivals, missing: sockets.length - entry.arrivals.length });
}

function onEvent(raw: WebSocket.RawData): void {
  const at = now();
  const text = raw.toString();
  const match = /bench-marker-[0-9a-z-]+/.exec(text);
  if (!match || !text.includes('course.updated')) return;
  const marker = match[0];
  const entry = expected.get(marker);
  if (entry) {
    entry.arrivals.push(at);
    if (entry.arrivals.length >= sockets.length) report(marker);
  } else {
    const list = early.get(marker) ?? [];
    list.push(at);
    early.set(marker, list);
  }
}

function connectOne(url: string, token: string, courseId: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let done = false;
    const finish = (result: WebSocket | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!result) socket.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => finish(null), 30_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.on('message', (raw) => {
      if (done) return onEvent(raw);
      const message = JSON.parse(raw.toString()) as { type: string };
      if (message.type === 'ready') socket.send(JSON.stringify({ type: 'subscribe', courseId }));
      // Live delivery to a new connection is held until a message other than a subscription change (or
      // for the server's resume grace): the ping ends the hold, and its pong comes once delivery is live.
      else if (message.type === 'subscribed') socket.send(JSON.stringify({ type: 'ping' }));
      else if (message.type === 'pong') {
        socket.removeAllListeners('message');
        socket.on('message', onEvent);
        finish(socket);
      } else if (message.type === 'error') finish(null);
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  });
}

async function connect(message: Extract<ParentMessage, { kind: 'connect' }>): Promise<void> {
  const started = now();
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONNECT_CONCURRENCY, message.count) }, async () => {
      while (next < message.count) {
        const index = next++;
        const socket = await connectOne(message.url, message.tokens[index % message.tokens.length]!, message.courseId);
        if (socket) sockets.push(socket);
        else failed++;
      }
    }),
  );
  send({ kind: 'connected', count: sockets.length, failed, ms: now() - started });
}

process.on('message', (message: ParentMessage) => {
  if (message.kind === 'connect') void connect(message);
  else if (message.kind === 'expect') {
    const arrivals = early.get(message.marker) ?? [];
    early.delete(message.marker);
    const timer = setTimeout(() => report(message.marker), message.deadlineMs);
    expected.set(message.marker, { arrivals, timer });
    if (arrivals.length >= sockets.length) report(message.marker);
  } else if (message.kind === 'close') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});

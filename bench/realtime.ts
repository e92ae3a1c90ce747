// WebSocket measurements: delivery latency of a course event to N subscribers, the most subscribers
// one course can have while 95% of broadcasts (four in flight) reach everyone within 500 ms, and the
// memory of many idle connections. Clients run in child processes (bench/ws-clients.ts).
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { requestJson } from './lib/http.js';
import { percentile } from './lib/load.js';
import { rssMb } from './lib/server.js';

const CLIENT_SCRIPT = fileURLToPath(new URL('./ws-clients.ts', import.meta.url));
const wallClock = () => performance.timeOrigin + performance.now();

interface ClientPool {
  connected: number;
  failed: number;
  connectMs: number;
  /** Arrival times of the event carrying `marker`, once every client has it or the deadline passed. */
  expect(marker: string, deadlineMs: number): Promise<{ arrivals: number[]; missing: number }>;
  close(): void;
}

async function openClientPool(baseUrl: string, tokens: string[], courseId: string, count: number): Promise<ClientPool> {
  const child: ChildProcess = fork(CLIENT_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (value: { arrivals: number[]; missing: number }) => void>();
  let onConnected: (value: { count: number; failed: number; ms: number }) => void = () => undefined;
  child.on('message', (message: { kind: string; marker?: string; arrivals?: number[]; missing?: number; count?: number; failed?: number; ms?: number }) => {
    if (message.kind === 'connected') onConnected({ count: message.count!, failed: message.failed!, ms: message.ms! });
    if (message.kind === 'delivered') waiting.get(message.marker!)?.({ arrivals: message.arrivals!, missing: message.missing! });
  });
  const connected = await new Promise<{ count: number; failed: number; ms: number }>((resolve, reject) => {
    onConnected = resolve;
    child.once('exit', (code) => reject(new Error(`websocket client process exited with ${code}`)));
    child.send({ kind: 'connect', url: baseUrl.replace(/^http/, 'ws') + '/api/ws', tokens, courseId, count });
  });
  return {
    connected: connected.count,
    failed: connected.failed,
    connectMs: Math.round(connected.ms),
    expect: (marker, deadlineMs) =>
      new Promise((resolve) => {
        waiting.set(marker, resolve);
        child.send({ kind: 'expect', marker, deadlineMs });
      }),
    close: () => {
      child.send({ kind: 'close' });
    },
  };
}

export interface Broadcaster {
  baseUrl: string;
  instructorToken: string;
  courseId: string;
}

/** The instructor edits the course; every subscriber gets `course.updated` with the new description. */
async function broadcast(target: Broadcaster, pool: ClientPool, deadlineMs: number) {
  const marker = `bench-marker-${randomBytes(6).toString('hex')}`;
  const delivered = pool.expect(marker, deadlineMs);
  const sentAt = wallClock();
  const response = await requestJson(`${target.baseUrl}/api/courses/${target.courseId}`, {
    method: 'PUT',
    token: target.instructorToken,
    body: { description: `Benchmark broadcast ${marker}: the course outline changed.` },
  });
  const answeredMs = wallClock() - sentAt;
  if (response.status !== 200) throw new Error(`course update failed: ${response.status} ${response.bytes.toString().slice(0, 200)}`);
  const { arrivals, missing } = await delivered;
  return { latencies: arrivals.map((at) => at - sentAt), missing, answeredMs, completeMs: missing > 0 ? Infinity : Math.max(...arrivals) - sentAt };
}

export interface FanOutResult {
  subscribers: number;
  broadcasts: number;
  deliveries: number;
  missing: number;
  p50: number;
  p99: number;
  max: number;
  /** Median time until the PUT itself was answered: the update's own cost, before any delivery. */
  updateP50: number;
  connectMs: number;
  /** How long after the last delivery the notifications the updates queued for the course's students were all written. */
  notificationsWrittenMs?: number;
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : n);

/** Delivery latency of one broadcast at a time to `subscribers` clients. */
export async function measureFanOut(target: Broadcaster, tokens: string[], subscribers: number, broadcasts: number): Promise<FanOutResult> {
  const pool = await openClientPool(target.baseUrl, tokens, target.courseId, subscribers);
  try {
    const latencies: number[] = [];
    const answered: number[] = [];
    let missing = 0;
    for (let i = 0; i < broadcasts; i++) {
      const result = await broadcast(target, pool, 10_000);
      latencies.push(...result.latencies);
      answered.push(result.answeredMs);
      missing += result.missing;
      process.stderr.write(`\r\x1b[K  fan-out to ${pool.connected}: broadcast ${i + 1}/${broadcasts}`);
    }
    process.stderr.write('\r\x1b[K');
    latencies.sort((a, b) => a - b);
    return {
      subscribers: pool.connected,
      broadcasts,
      deliveries: latencies.length,
      missing,
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
      updateP50: round(percentile(answered.sort((a, b) => a - b), 50)),
      connectMs: pool.connectMs,
    };
  } finally {
    pool.close();
  }
}

export interface CapacityStep {
  subscribers: number;
  broadcasts: number;
  /** 95th percentile of the time until the last subscriber had the event. */
  p95CompleteMs: number;
  /** Median time until the PUT was answered, four in flight. */
  updateP50: number;
  passed: boolean;
}

/** Doubles the subscribers of one course until 95% of broadcasts (four in flight) no longer finish in 500 ms. */
export async function measureCapacity(
  target: Broadcaster,
  tokens: string[],
  steps: readonly number[],
  broadcasts: number,
): Promise<{ steps: CapacityStep[]; largestPassing: number }> {
  const results: CapacityStep[] = [];
  let largestPassing = 0;
  for (const subscribers of steps) {
    const pool = await openClientPool(target.baseUrl, tokens, target.courseId, subscribers);
    const completions: number[] = [];
    const answered: number[] = [];
    try {
      let started = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (started < broadcasts) {
            started++;
            const result = await broadcast(target, pool, 5_000);
            completions.push(result.completeMs);
            answered.push(result.answeredMs);
            process.stderr.write(`\r\x1b[K  capacity at ${pool.connected} subscribers: ${completions.length}/${broadcasts} broadcasts`);
          }
        }),
      );
    } finally {
      pool.close();
    }
    process.stderr.write('\r\x1b[K');
    completions.sort((a, b) => a - b);
    const p95CompleteMs = round(percentile(completions, 95));
    const passed = pool.connected === subscribers && p95CompleteMs <= 500;
    const updateP50 = round(percentile(answered.sort((a, b) => a - b), 50));
    results.push({ subscribers: pool.connected, broadcasts, p95CompleteMs, updateP50, passed });
    process.stderr.write(`  capacity: ${pool.connected} subscribers, p95 broadcast ${p95CompleteMs} ms (update answered in ${updateP50} ms): ${passed ? 'ok' : 'over'}\n`);
    if (!passed) break;
    largestPassing = subscribers;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { steps: results, largestPassing };
}

export interface IdleResult {
  requested: number;
  connected: number;
  failed: number;
  connectMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  kibPerConnection: number;
}

/** Opens `count` authenticated, subscribed, idle connections and reads the server's RSS. */
export async function measureIdleConnections(target: Broadcaster, tokens: string[], count: number, serverPid: number): Promise<IdleResult> {
  const rssBeforeMb = rssMb(serverPid);
  const pool = await openClientPool(target.baseUrl, tokens, target.courseId, count);
  try {
    // Let the allocations of the ramp settle before reading the steady state.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rssAfterMb = rssMb(serverPid);
    return {
      requested: count,
      connected: pool.connected,
      failed: pool.failed,
      connectMs: pool.connectMs,
      rssBeforeMb,
      rssAfterMb,
      kibPerConnection: pool.connected ? Math.round(((rssAfterMb - rssBeforeMb) * 1024) / pool.connected) : 0,
    };
  } finally {
    pool.close();
  }
}

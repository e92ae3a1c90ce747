// One load run with autocannon (as a library): throughput, exact latency percentiles from every
// response, errors, and the server's RSS at the end.
import autocannon from 'autocannon';
import { rssMb } from './server.js';

export interface LoadRequest {
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Handed back to onResponse with the response's status. */
  tag?: unknown;
}

export interface LoadOptions {
  title: string;
  url: string;
  connections: number;
  durationSeconds: number;
  /**
   * The request of one connection's next call; `connection` is stable per connection. null: nothing
   * left to send (a pool of unique writes ran out), the run stops early.
   */
  next: (connection: number) => LoadRequest | null;
  onResponse?: (status: number, tag: unknown) => void;
  /** The server process whose RSS is read at the end. */
  pid?: number;
}

export interface LoadResult {
  title: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  rssMb: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let connectionCount = 0;
  // Requests sent after the pool ran out, while the run stops: a cheap probe, not counted.
  let fillers = 0;
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 30,
    requests: [
      {
        setupRequest: (request, context) => {
          const ctx = context as { connection?: number; tag?: unknown };
          ctx.connection ??= connectionCount++;
          const next = options.next(ctx.connection);
          ctx.tag = next?.tag;
          if (!next) {
            fillers++;
            instance.stop();
            return { ...request, method: 'GET', path: '/api/health', headers: {}, body: undefined } as typeof request;
          }
          return {
            ...request,
            method: next.method ?? 'GET',
            path: next.path,
            headers: { ...(next.body ? { 'content-type': 'application/json' } : {}), ...next.headers },
            body: next.body,
          } as typeof request;
        },
        onResponse: (status, _body, context) => options.onResponse?.(status, (context as { tag?: unknown }).tag),
      },
    ],
  }, (error: Error | null, result: autocannon.Result) => (error ? fail(error) : finish(result)));
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const started = Date.now();
  const ticker = setInterval(() => {
    const elapsed = (Date.now() - started) / 1000;
    process.stderr.write(`\r\x1b[K  ${options.title}: ${elapsed.toFixed(0)}/${options.durationSeconds}s, ${latencies.length} responses`);
  }, 500);
  const result = await done;
  clearInterval(ticker);
  process.stderr.write('\r\x1b[K');
  latencies.sort((a, b) => a - b);
  const requests = Math.max(0, latencies.length - fillers);
  const statusCounts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = stat.count ?? 0;
  const summary: LoadResult = {
    title: options.title,
    requests,
    seconds: round(result.duration, 1),
    rps: Math.round(requests / result.duration),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? 0),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCounts,
    rssMb: options.pid ? rssMb(options.pid) : 0,
  };
  process.stderr.write(
    `  ${summary.title}: ${summary.rps} req/s, p50 ${summary.p50} ms, p95 ${summary.p95} ms, p99 ${summary.p99} ms, ` +
      `errors ${summary.errors}, non-2xx ${summary.non2xx}, RSS ${summary.rssMb} MiB\n`,
  );
  return summary;
}

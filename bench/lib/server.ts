// The app as a child process (as `npm start` runs it), and what the bench reads of it.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN_EMAIL, BENCH_PASSWORD } from './dataset.js';
import { root } from '../../scripts/build-stamp.mjs';

export interface RunningServer {
  url: string;
  pid: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Limits high enough that the load is measured, not throttled. */
export const UNTHROTTLED_ENV: Record<string, string> = {
  RATE_LIMIT_IP_MAX: '100000000',
  RATE_LIMIT_USER_MAX: '100000000',
  RATE_LIMIT_API_KEY_MAX: '100000000',
  RATE_LIMIT_AUTH_MAX: '100000000',
  LOCKOUT_THRESHOLD: '1000',
  LOCKOUT_ACCOUNT_THRESHOLD: '100000',
  LOCKOUT_DELAY_MS: '0',
  MAX_SESSIONS: '100',
  // Tokens signed in at the start must outlive the whole run.
  ACCESS_TOKEN_TTL: '14400',
  // A load test keeps the event loop busy on purpose; shedding would hide the latency being measured.
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitForHealth(url: string, timeoutMs: number, child?: ChildProcess): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`);
}

export interface StartOptions {
  env: Record<string, string>;
  /** Where the server's output goes; kept for when it fails. */
  logFile?: string;
  timeoutMs?: number;
}

/** The node flags and script of package.json's `start`, so that the server runs exactly as `npm start` runs it. */
function npmStartArguments(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [program, ...args] = scripts.start.trim().split(/\s+/);
  if (program !== 'node') throw new Error(`package.json's start script is expected to run node: ${scripts.start}`);
  return args;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // What `npm start` runs: it builds what is stale, then runs the built server.
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...npmStartArguments()], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'bench-jwt-secret-0123456789-abcdefghijklmnop',
      ADMIN_EMAIL,
      ADMIN_PASSWORD: BENCH_PASSWORD,
      SEED_DEMO: 'false',
      ...UNTHROTTLED_ENV,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await waitForHealth(url, options.timeoutMs ?? 120_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    url,
    pid: child.pid!,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Resident memory of a process in MiB, from /proc (VmRSS). */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

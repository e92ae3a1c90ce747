// Start-up time of the embedded database: from spawning what `npm start` runs (scripts/start.mjs: the
// builds' staleness check, then the built server) on an existing DATA_DIR to its first 200 on /api/health.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.js';

export interface EmbeddedStartResult {
  /** The first start: creates the database, applies migrations, seeds the demo data. */
  firstStartMs: number;
  /** Later starts on the existing DATA_DIR, in order. */
  restartsMs: number[];
  medianRestartMs: number;
}

export async function measureEmbeddedStart(restarts: number): Promise<EmbeddedStartResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-bench-embedded-'));
  try {
    // The embedded setup as a new user gets it: no DATABASE_URL, demo data on the first start.
    const env = { DATA_DIR: dataDir, SEED_DEMO: 'true', NODE_ENV: 'production' };
    const timed = async (): Promise<number> => {
      const started = performance.now();
      const server = await startServer({ env, timeoutMs: 300_000 });
      const ms = performance.now() - started;
      await server.stop();
      return Math.round(ms);
    };
    const firstStartMs = await timed();
    // Later starts must not seed again: SEED_DEMO unset means "seed an empty embedded database only".
    env.SEED_DEMO = '';
    const restartsMs: number[] = [];
    for (let i = 0; i < restarts; i++) {
      restartsMs.push(await timed());
      process.stderr.write(`\r\x1b[K  embedded restart ${i + 1}/${restarts}: ${restartsMs[i]} ms`);
    }
    process.stderr.write('\n');
    const sorted = [...restartsMs].sort((a, b) => a - b);
    return { firstStartMs, restartsMs, medianRestartMs: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

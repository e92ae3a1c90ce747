// kill -9 of a server on the embedded database in the middle of a write load: it starts again on the
// same data, every write it acknowledged is there and whole, and the clients can carry on where they were.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/server/db/client.js';
import { acknowledged, auditLoad, prepareLoad, runLoad, WITHOUT_RATE_LIMITS } from './support/faults.js';
import { freePort, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';

const running: ServerProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'skilled-fault-crash-'));
afterAll(async () => {
  await Promise.all(running.map((server) => stopServer(server, 'SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

function start(port: number) {
  const server = spawnServer({ DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...WITHOUT_RATE_LIMITS }, port);
  running.push(server);
  return server;
}

describe('kill -9 of a server on the embedded database during writes', () => {
  it('restarts with every acknowledged write there, whole, and the load then completes', async () => {
    const port = await freePort();
    const first = start(port);
    await waitReady(first);
    const plan = await prepareLoad(first.url, { courses: 2, lessons: 2, assignments: 1, students: 6 });

    let killed = false;
    const beforeCrash = await runLoad(first.url, plan, {
      retry: false,
      onAck: (count) => {
        if (count === 25 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      },
    });
    await first.exited;
    expect(killed).toBe(true);
    // Writes were in flight when it died: some got no answer.
    expect(beforeCrash.replies.some((r) => r.status === 0)).toBe(true);

    const restarting = Date.now();
    const second = start(port);
    await waitReady(second);
    const restartMs = Date.now() - restarting;
    // The clients go on with the tokens they had (the signing secret is kept in DATA_DIR).
    const afterRestart = await runLoad(second.url, plan, { retry: true, retryForMs: 20_000 });
    expect(afterRestart.replies.every((r) => [200, 201, 409].includes(r.status)), JSON.stringify(afterRestart.replies.filter((r) => r.status >= 400 && r.status !== 409))).toBe(true);
    expect(await stopServer(second)).toBe(0);

    const database = await openDatabase({ dataDir });
    try {
      const client = (database.db as unknown as { $client: PGlite }).$client;
      const query = (text: string, params?: unknown[]) => client.query(text, params);
      const crash = await auditLoad(query, plan, beforeCrash);
      console.log(
        `kill -9: ${acknowledged(beforeCrash)} writes acknowledged before the crash, lost ${Object.values(crash.lost).flat().length}; ` +
          `ready again ${restartMs} ms after the restart began`,
      );
      expect(crash.lost).toEqual({ enrollments: [], completions: [], submissions: [], grades: [] });
      expect(crash.halfWritten).toEqual([]);
      const final = await auditLoad(query, plan, afterRestart);
      expect(final.lost).toEqual({ enrollments: [], completions: [], submissions: [], grades: [] });
      expect(final.halfWritten).toEqual([]);
      expect(final.rows).toEqual({ enrollments: 12, completions: 24, submissions: 12, graded: 12 });
    } finally {
      await database.close();
    }
  }, 90_000);
});

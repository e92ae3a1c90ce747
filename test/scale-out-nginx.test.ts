// Two server processes behind nginx, on one fresh PostgreSQL database and one Redis, behave as one
// platform: requests and WebSocket clients are spread over both, an event reaches every client whichever
// instance it is on, a burst of writes is all there once, and a rolling restart (each instance in turn
// stopped with SIGTERM and started again) under a steady load loses no request and no write.
// Needs DATABASE_URL, REDIS_URL and an nginx binary; skipped, saying why, otherwise.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, account, announceSkip, call, type Reply, WITHOUT_RATE_LIMITS } from './support/faults.js';
import { type Nginx, nginxUnavailableReason, startNginx } from './support/nginx.js';
import { freePort, freshPostgresDatabase, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';
import { completeLesson, connectWs, isEvent } from './support/realtime.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const skipped = announceSkip(
  'scale-out-nginx',
  !databaseUrl || !redisUrl ? 'it needs DATABASE_URL and REDIS_URL (the instances share PostgreSQL and Redis)' : nginxUnavailableReason(),
);

type InstanceId = 'a' | 'b';
interface Instance {
  id: InstanceId;
  port: number;
  dataDir: string;
  server: ServerProcess;
}

const instanceOf = (reply: Reply) => reply.headers?.get('x-instance-id') ?? undefined;
const tally = (replies: Reply[]) => {
  const counts: Record<string, number> = {};
  for (const reply of replies) counts[instanceOf(reply) ?? 'none'] = (counts[instanceOf(reply) ?? 'none'] ?? 0) + 1;
  return counts;
};

/** Runs `tasks` with at most `concurrency` at once. */
async function inParallel<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

describe.skipIf(skipped)('two instances behind nginx, one PostgreSQL, one Redis', () => {
  let database: { url: string; drop: () => Promise<void> };
  let nginx: Nginx;
  const instances = {} as Record<InstanceId, Instance>;
  let db: pg.Pool;
  let instructor: Account;
  const shared = { JWT_SECRET: randomBytes(32).toString('hex'), SEED_DEMO: 'false', LOG_LEVEL: 'warn', TRUST_PROXY: 'true', ...WITHOUT_RATE_LIMITS };

  const start = async (id: InstanceId, port: number, dataDir: string) => {
    const server = spawnServer({ ...shared, DATABASE_URL: database.url, REDIS_URL: redisUrl!, DATA_DIR: dataDir, INSTANCE_ID: id }, port);
    instances[id] = { id, port, dataDir, server };
    await waitReady(server);
  };

  const createCourse = async (title: string) => {
    const res = await call(nginx.url, 'POST', '/api/courses', {
      token: instructor.token,
      body: { title, description: 'Behind nginx', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
    });
    expect(res.status).toBe(201);
    return res.body.data.courseId as string;
  };

  /** An idempotent write: a lesson with a title of its own, sent with an Idempotency-Key. */
  const createLesson = (courseId: string, title: string) =>
    call(nginx.url, 'POST', `/api/courses/${courseId}/lessons`, {
      token: instructor.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { title, description: 'x', estimatedTime: 5 },
    });

  /** How many lessons of these courses have each title. */
  const lessonTitles = async (courseIds: string[]) => {
    const { rows } = await db.query<{ title: string; n: number }>(
      'select title, count(*)::int as n from lessons where course_id = any($1::uuid[]) group by title',
      [courseIds],
    );
    return new Map(rows.map((row) => [row.title, row.n]));
  };

  beforeAll(async () => {
    database = await freshPostgresDatabase(databaseUrl!, 'skilled_scale');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    const [portA, portB] = [await freePort(), await freePort()];
    // One first, so that the migrations are not raced for; the second starts on a migrated database.
    await start('a', portA, mkdtempSync(join(tmpdir(), 'skilled-scale-a-')));
    await start('b', portB, mkdtempSync(join(tmpdir(), 'skilled-scale-b-')));
    nginx = await startNginx([`127.0.0.1:${portA}`, `127.0.0.1:${portB}`]);
    instructor = await account(nginx.url, 'instructor');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(instances).map((instance) => stopServer(instance.server, 'SIGKILL')));
    await nginx?.stop();
    await db?.end();
    await database?.drop();
    for (const instance of Object.values(instances)) rmSync(instance.dataDir, { recursive: true, force: true });
  });

  it('spreads requests over both instances (X-Instance-Id)', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 40; i++) replies.push(await call(nginx.url, 'GET', '/api/health'));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    const counts = tally(replies);
    console.log(`40 requests through nginx: ${JSON.stringify(counts)}`);
    expect(counts.a).toBeGreaterThanOrEqual(10);
    expect(counts.b).toBeGreaterThanOrEqual(10);
    expect(counts.none).toBeUndefined();
  });

  it('puts WebSocket clients on both instances, and an event from a write through nginx reaches every one of them', async () => {
    const courseId = await createCourse('Live events');
    const lesson = await createLesson(courseId, 'Live lesson');
    expect(lesson.status).toBe(201);
    const lessonId = lesson.body.data.lessonId as string;
    const student = await account(nginx.url, 'student');
    expect((await call(nginx.url, 'POST', `/api/courses/${courseId}/enroll`, { token: student.token })).status).toBe(201);

    const websocketsOn = async (instance: Instance) => {
      const metrics = await fetch(`${instance.server.url}/metrics`).then((res) => res.text());
      return Number(/^skilled_realtime_connections\{transport="websocket"\} (\d+)/m.exec(metrics)?.[1] ?? NaN);
    };
    const clients = [];
    for (let i = 0; i < 6; i++) clients.push(await connectWs({ url: nginx.url, token: i % 2 === 0 ? student.token : instructor.token }));
    const placement = { a: await websocketsOn(instances.a), b: await websocketsOn(instances.b) };
    console.log(`6 WebSocket clients through nginx: ${JSON.stringify(placement)}`);
    expect(placement.a).toBeGreaterThanOrEqual(1);
    expect(placement.b).toBeGreaterThanOrEqual(1);
    expect(placement.a + placement.b).toBe(6);

    await completeLesson(student, lessonId, nginx.url);
    const received = await Promise.all(clients.map((client) => client.waitFor(isEvent('lesson.completed', { lessonId }), 5_000)));
    expect(new Set(received.map((event) => event.id)).size).toBe(1);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('keeps every write of a burst of 200 through nginx, once each', async () => {
    const courseIds = await Promise.all([0, 1, 2, 3].map((c) => createCourse(`Burst ${c}`)));
    const burst = await inParallel(200, 25, (i) => createLesson(courseIds[i % courseIds.length]!, `burst-${i}`));
    const statuses = tally(burst);
    console.log(`200 writes through nginx: ${JSON.stringify(statuses)}`);
    expect(burst.filter((reply) => reply.status !== 201).map((reply) => `${reply.status} ${JSON.stringify(reply.body)}`)).toEqual([]);
    expect(statuses.a).toBeGreaterThan(0);
    expect(statuses.b).toBeGreaterThan(0);
    const titles = await lessonTitles(courseIds);
    expect(titles.size).toBe(200);
    expect([...titles.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);

  it('restarts each instance in turn under a steady load: no request fails, every acknowledged write is there once', async () => {
    const courseIds = await Promise.all([0, 1, 2].map((c) => createCourse(`Rolling ${c}`)));
    const log: { at: number; kind: 'read' | 'write'; status: number; instance?: string; error?: string }[] = [];
    const acknowledged = new Set<string>();
    let running = true;
    let writes = 0;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        if (i % 2 === 0) {
          const reply = await call(nginx.url, 'GET', `/api/courses/${courseIds[i % courseIds.length]}`, { token: instructor.token });
          log.push({ at: Date.now(), kind: 'read', status: reply.status, instance: instanceOf(reply), error: reply.status === 200 ? undefined : JSON.stringify(reply.body) });
        } else {
          const title = `rolling-${w}-${writes++}`;
          const reply = await createLesson(courseIds[i % courseIds.length]!, title);
          log.push({ at: Date.now(), kind: 'write', status: reply.status, instance: instanceOf(reply), error: reply.status === 201 ? undefined : JSON.stringify(reply.body) });
          if (reply.status === 201) acknowledged.add(title);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));

    /** SIGTERM, wait for a clean exit, start again on the same port, then wait until nginx sends it requests again. */
    const restart = async (id: InstanceId) => {
      const { port, dataDir, server } = instances[id];
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const stopped = Date.now();
      expect(await stopServer(server, 'SIGTERM')).toBe(0);
      const down = Date.now() - stopped;
      await start(id, port, dataDir);
      const back = Date.now();
      await expect.poll(() => log.some((entry) => entry.instance === id && entry.at > back), { timeout: 15_000, interval: 100 }).toBe(true);
      return { drainMs: down, downMs: back - stopped, backInRotationMs: Date.now() - back };
    };
    const timings = { a: await restart('a'), b: await restart('b') };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await load;

    const failed = log.filter((entry) => entry.status !== 200 && entry.status !== 201);
    const servedBy = (id: InstanceId) => log.filter((entry) => entry.instance === id).length;
    // `$upstream_addr` lists every instance nginx tried: two of them is a request it passed on after an error.
    const passedOn = nginx.accessLog().filter((line) => line.includes(', ')).length;
    console.log(
      `rolling restart: ${log.length} requests (${log.filter((e) => e.kind === 'write').length} writes), failed ${failed.length}, ` +
        `served by a ${servedBy('a')}, b ${servedBy('b')}, passed on by nginx to the other instance ${passedOn}; ` +
        `timings ${JSON.stringify(timings)}`,
    );
    expect(failed.map((entry) => `${entry.kind} ${entry.status} ${entry.error}`)).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(0);
    const titles = await lessonTitles(courseIds);
    expect([...acknowledged].filter((title) => titles.get(title) !== 1)).toEqual([]);
    // Nothing was written that the clients were not told about either.
    expect(titles.size).toBe(acknowledged.size);
  }, 90_000);
});

// Redis dies during live traffic, on a private Redis server: the API keeps serving, events are still
// recorded and delivered to this instance's clients, readiness names Redis while it is gone, and once it
// is back a WebSocket client that dropped meanwhile resumes with nothing lost.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { account, announceSkip, call, type PrivateRedis, privateRedis, redisUnavailableReason, WITHOUT_RATE_LIMITS } from './support/faults.js';
import { connectWs, isEvent } from './support/realtime.js';

const skip = announceSkip('Redis fault test', redisUnavailableReason());

describe.skipIf(skip)('Redis dying during live traffic', () => {
  let redis: PrivateRedis;
  let database: DatabaseHandle;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    redis = await privateRedis();
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: '', REDIS_URL: redis.url, LOG_LEVEL: 'silent', ...WITHOUT_RATE_LIMITS });
    database = await openDatabase({});
    app = await buildApp({ config, database });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await redis?.destroy();
  });

  it('keeps serving and delivering, and a client that dropped meanwhile resumes with nothing lost', async () => {
    const instructor = await account(base, 'instructor');
    const student = await account(base, 'student');
    const course = await call(base, 'POST', '/api/courses', {
      token: instructor.token,
      body: { title: 'Redis outage', description: 'd', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
    });
    const courseId = course.body.data.courseId as string;
    const lessonIds: string[] = [];
    for (let i = 0; i < 9; i++) {
      const lesson = await call(base, 'POST', `/api/courses/${courseId}/lessons`, { token: instructor.token, body: { title: `L${i}`, description: 'x', estimatedTime: 5 } });
      lessonIds.push(lesson.body.data.lessonId);
    }
    expect((await call(base, 'POST', `/api/courses/${courseId}/enroll`, { token: student.token })).status).toBe(201);
    /** The student completes the next lesson: they hear of it as `lesson.completed`. */
    const progress = async () => {
      const lessonId = lessonIds.shift()!;
      const res = await call(base, 'POST', '/api/lessons/complete', { token: student.token, body: { lessonId, timeSpent: 5 } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return lessonId;
    };
    const completed = (lessonId: string) => isEvent('lesson.completed', { lessonId });

    const client = await connectWs({ url: base, token: student.token });
    await client.waitFor(completed(await progress()));
    expect((await call(base, 'GET', '/api/ready')).body.checks.redis).toBe('ok');

    await redis.kill();
    // Readiness names what is missing; the platform itself goes on.
    await expect.poll(async () => (await call(base, 'GET', '/api/ready')).body, { timeout: 5_000 }).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', redis: 'failing' },
    });
    for (let i = 0; i < 3; i++) await client.waitFor(completed(await progress()), 3_000, 'an event while Redis is down');
    const lastSeen = client.events().at(-1)!.id as string;

    // The client drops; more happens while it is away, and while Redis is still down.
    await client.close();
    const missed = [await progress(), await progress(), await progress()];

    const restarting = Date.now();
    await redis.start();
    await expect.poll(async () => (await call(base, 'GET', '/api/ready')).status, { timeout: 15_000, interval: 100 }).toBe(200);
    const reconnectMs = Date.now() - restarting;

    const back = await connectWs({ url: base, token: student.token, lastEventId: lastSeen });
    await back.waitFor((m) => m.type === 'resumed');
    const replayed = back.events().filter(isEvent('lesson.completed', { courseId }));
    expect(replayed.map((e) => e.data.lessonId)).toEqual(missed);
    // In order, right after what it had seen.
    expect(Number(replayed[0].id)).toBeGreaterThan(Number(lastSeen));
    // And live delivery goes on.
    await back.waitFor(completed(await progress()), 3_000, 'an event after Redis returned');
    await back.close();

    await expect.poll(async () => (await call(base, 'GET', '/metrics')).body, { timeout: 10_000 }).toMatch(/^skilled_realtime_up\{part="bus"\} 1$/m);
    console.log(`Redis outage: events delivered throughout, lost 0; bus reconnected ${reconnectMs} ms after Redis came back`);
  }, 60_000);
});

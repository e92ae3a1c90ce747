// Two instances sharing Redis (and the database) enforce one rate limit and one lockout: what a client
// does on one counts on the other. Needs REDIS_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { clientAt, type OwnServer, randomIp, registerOn, startServer } from './support/security.js';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('two instances sharing Redis', () => {
  let database: DatabaseHandle;
  let a: OwnServer;
  let b: OwnServer;

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, poolSize: 5 });
    const env = {
      REDIS_URL: redisUrl!,
      RATE_LIMIT_IP_MAX: '6',
      RATE_LIMIT_AUTH_MAX: '1000',
      LOCKOUT_THRESHOLD: '3',
      LOCKOUT_DELAY_MS: '0',
    };
    a = await startServer(env, { database });
    b = await startServer(env, { database });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  it('count one rate limit per address across both', async () => {
    const ip = randomIp();
    const onA = clientAt(a.url, ip);
    const onB = clientAt(b.url, ip);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      remaining.push((await onA.call('GET', '/api/courses')).headers.get('ratelimit-remaining')!);
      remaining.push((await onB.call('GET', '/api/courses')).headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
    expect((await onA.call('GET', '/api/courses')).status).toBe(429);
    expect((await onB.call('GET', '/api/courses')).status).toBe(429);
    expect((await clientAt(b.url).call('GET', '/api/courses')).status).toBe(200);
  });

  it('count one lockout per account and address across both', async () => {
    const ip = randomIp();
    const onA = clientAt(a.url, ip);
    const onB = clientAt(b.url, ip);
    const user = await registerOn(clientAt(a.url));
    const attempt = (client: typeof onA, password: string) => client.call('POST', '/api/auth/signin', { body: { email: user.email, password } });
    expect((await attempt(onA, 'wrong')).status).toBe(401);
    expect((await attempt(onB, 'wrong')).status).toBe(401);
    const locked = await attempt(onA, 'wrong');
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
    const elsewhere = await attempt(onB, user.password);
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.code).toBe('ACCOUNT_LOCKED');
    expect((await attempt(clientAt(b.url), user.password)).status).toBe(200);
  });
});

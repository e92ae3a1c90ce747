// Sign-in lockout: per account and address, growing locks with a cap, a softer account-wide limit that
// spares the addresses the user signed in from before, resets on success, and audit rows.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOn, type Client, clientAt, type OwnServer, registerOn, startServer } from './support/security.js';

let server: OwnServer;

beforeAll(async () => {
  server = await startServer({
    RATE_LIMIT_AUTH_MAX: '10000',
    LOCKOUT_THRESHOLD: '3',
    // 1.2 s, then 2.4 s, capped at 3 s: long enough to observe, short enough to wait out
    LOCKOUT_MINUTES: '0.02',
    LOCKOUT_MAX_MINUTES: '0.05',
    LOCKOUT_ACCOUNT_THRESHOLD: '4',
    LOCKOUT_ACCOUNT_WINDOW_MINUTES: '1',
    LOCKOUT_DELAY_MS: '0',
  });
});

afterAll(async () => {
  await server?.close();
});

const signIn = (client: Client, email: string, password: string, userAgent = 'lockout-test-agent') =>
  client.call('POST', '/api/auth/signin', { body: { email, password }, headers: { 'user-agent': userAgent } });

async function auditRows(action: string, targetId: string) {
  const admin = await adminOn(clientAt(server.url));
  const res = await clientAt(server.url).call('GET', '/api/admin/audit-log', { token: admin.token, query: { action, targetId, limit: 50 } });
  expect(res.status).toBe(200);
  return res.body.data as { ip: string; after: Record<string, unknown> }[];
}

describe('per account and address', () => {
  it('locks after the threshold without checking the password, only for that address, and writes the audit log', async () => {
    const user = await registerOn(clientAt(server.url));
    const attacker = clientAt(server.url);
    expect((await signIn(attacker, user.email, 'wrong-1')).status).toBe(401);
    expect((await signIn(attacker, user.email, 'wrong-2')).status).toBe(401);
    const locking = await signIn(attacker, user.email, 'wrong-3', 'attacker-agent/1.0');
    expect(locking.status).toBe(429);
    expect(locking.body).toMatchObject({ code: 'ACCOUNT_LOCKED', status: 429 });
    expect(Number(locking.headers.get('retry-after'))).toBe(2);

    // even the right password is refused from that address while it is locked
    const right = await signIn(attacker, user.email, user.password);
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('ACCOUNT_LOCKED');
    // the owner, elsewhere, is not locked out
    expect((await signIn(clientAt(server.url), user.email, user.password)).status).toBe(200);

    const rows = await auditRows('user.signin_locked', user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: attacker.ip, after: { ip: attacker.ip, userAgent: 'attacker-agent/1.0', failures: 3, lockNumber: 1 } });
  });

  it('grows each lock of the same pair up to the cap; a successful sign-in clears the history', async () => {
    // signed up (and so signed in) from this address: the account-wide limit does not apply to it
    const client = clientAt(server.url);
    const user = await registerOn(client);
    const lockWith = async () => {
      for (let i = 0; i < 2; i++) expect((await signIn(client, user.email, 'wrong')).status).toBe(401);
      const locked = await signIn(client, user.email, 'wrong');
      expect(locked.body.code).toBe('ACCOUNT_LOCKED');
      return Number(locked.headers.get('retry-after'));
    };
    expect(await lockWith()).toBe(2); // 1.2 s
    await sleep(1_300);
    expect(await lockWith()).toBe(3); // 2.4 s
    await sleep(2_500);
    expect(await lockWith()).toBe(3); // 4.8 s, capped at 3 s
    await sleep(3_100);

    expect((await signIn(client, user.email, user.password)).status).toBe(200);
    // history cleared: two failures are not a lock, and the next lock is the short one again
    expect((await signIn(client, user.email, 'wrong')).status).toBe(401);
    expect((await signIn(client, user.email, 'wrong')).status).toBe(401);
    expect(Number((await signIn(client, user.email, 'wrong')).headers.get('retry-after'))).toBe(2);
  });

  it('treats an unknown email the same way, so that locks do not reveal which accounts exist', async () => {
    const client = clientAt(server.url);
    const email = `nobody-${Date.now()}@security.skilled`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signIn(client, email, 'wrong')).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});

describe('per account, from every address', () => {
  it('refuses new addresses after many failures, while the addresses the user signed in from before still work', async () => {
    const home = clientAt(server.url);
    const user = await registerOn(home); // signs in from `home`: a known address from now on
    for (let i = 0; i < 4; i++) expect((await signIn(clientAt(server.url), user.email, 'wrong')).status).toBe(401);

    const stranger = await signIn(clientAt(server.url), user.email, user.password);
    expect(stranger.status).toBe(429);
    expect(stranger.body.code).toBe('ACCOUNT_LOCKED');
    expect(stranger.body.error).toMatch(/device you used before/);
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(0);

    expect((await signIn(home, user.email, user.password)).status).toBe(200);
    // a success from a known address clears the account's count
    expect((await signIn(clientAt(server.url), user.email, user.password)).status).toBe(200);

    const rows = await auditRows('user.signin_account_throttled', user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.after).toMatchObject({ failures: 4, userAgent: 'lockout-test-agent' });
  });
});

describe('slowing down', () => {
  it('answers each further failure of the same pair later than the one before', async () => {
    const slow = await startServer({ RATE_LIMIT_AUTH_MAX: '10000', LOCKOUT_THRESHOLD: '10', LOCKOUT_DELAY_MS: '150' });
    try {
      const client = clientAt(slow.url);
      const user = await registerOn(client);
      const elapsed: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        expect((await signIn(client, user.email, 'wrong')).status).toBe(401);
        elapsed.push(Date.now() - started);
      }
      // at least 150, 300 and 600 ms were added (lower bounds only: never shorter)
      expect(elapsed[0]).toBeGreaterThanOrEqual(150);
      expect(elapsed[1]).toBeGreaterThanOrEqual(300);
      expect(elapsed[2]).toBeGreaterThanOrEqual(600);
      expect((await signIn(client, user.email, user.password)).status).toBe(200);
    } finally {
      await slow.close();
    }
  });
});

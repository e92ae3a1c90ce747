// Access-token signing keys: tokens name their key (kid); keys rotate by an admin or by age without
// signing anyone out; a second instance picks up a new key; only HS256 tokens with a known kid, exp, iss
// and aud are accepted; key material is stored encrypted.
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase, queryRows } from '../src/server/db/client.js';
import { createSecretBox } from '../src/server/http/secret-box.js';
import { AUDIENCE, ISSUER } from '../src/server/http/tokens.js';
import { TEST_JWT_SECRET } from './support/constants.js';
import { adminOn, type Client, clientAt, type OwnServer, registerOn, startServer } from './support/security.js';

let database: DatabaseHandle;
let first: OwnServer;
let second: OwnServer | undefined;
let one: Client;

beforeAll(async () => {
  // Both instances share one database (PostgreSQL when DATABASE_URL is set).
  database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, poolSize: 5 });
  first = await startServer({}, { database });
  one = clientAt(first.url);
});

afterAll(async () => {
  await second?.close();
  await first?.close();
  await database?.close();
});

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const check = (client: Client, token: string) => client.call('GET', '/api/auth/check', { token });

async function keyMaterial(kid: string): Promise<Uint8Array> {
  const [row] = await queryRows<{ secret_ciphertext: string }>(database.db, sql`select secret_ciphertext from signing_keys where kid = ${kid}`);
  const opened = createSecretBox(TEST_JWT_SECRET, 'access-token signing key').open(kid, row!.secret_ciphertext);
  return new Uint8Array(Buffer.from(opened!, 'base64url'));
}

describe('signing keys', () => {
  it('sign every access token with a kid; admins list them without key material', async () => {
    const user = await registerOn(one);
    const header = decodeProtectedHeader(user.token);
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT', kid: expect.any(String) });
    const admin = await adminOn(one);
    const list = await one.call('GET', '/api/admin/signing-keys', { token: admin.token });
    expect(list.status).toBe(200);
    const current = list.body.data.filter((key: { current: boolean }) => key.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ kid: header.kid, algorithm: 'HS256', retiresAt: null });
    expect(JSON.stringify(list.body)).not.toMatch(/secret|ciphertext/i);
    expect((await one.call('GET', '/api/admin/signing-keys', { token: user.token })).status).toBe(403);
    expect((await one.call('GET', '/api/admin/signing-keys')).status).toBe(401);
    expect((await one.call('POST', '/api/admin/signing-keys/rotate', { token: user.token })).status).toBe(403);
  });

  it('are stored encrypted: the database alone does not hold a usable key', async () => {
    const [row] = await queryRows<{ kid: string; secret_ciphertext: string }>(
      database.db,
      sql`select kid, secret_ciphertext from signing_keys where retires_at is null order by created_at desc limit 1`,
    );
    expect(row!.secret_ciphertext).toMatch(/^v1\./);
    expect(createSecretBox('another-secret-of-at-least-thirty-two-chars', 'access-token signing key').open(row!.kid, row!.secret_ciphertext)).toBeNull();
    expect((await keyMaterial(row!.kid)).byteLength).toBe(32);
  });

  it('rotate by an admin without signing anyone out, and a second instance picks the new key up', async () => {
    second = await startServer({}, { database });
    const two = clientAt(second.url);
    const user = await registerOn(one);
    const before = user.token;
    const admin = await adminOn(one);
    const rotated = await one.call('POST', '/api/admin/signing-keys/rotate', { token: admin.token });
    expect(rotated.status).toBe(201);
    const { current, retired } = rotated.body.data;
    expect(current.kid).not.toBe(kidOf(before));
    const previous = retired.find((key: { kid: string }) => key.kid === kidOf(before));
    // retired after the token lifetime (15 min) plus the reload interval and clock skew (2 min)
    const retiresIn = Date.parse(previous.retiresAt) - Date.now();
    expect(retiresIn).toBeGreaterThan(16 * 60_000);
    expect(retiresIn).toBeLessThanOrEqual(17 * 60_000);

    // the old token still works on both instances
    expect((await check(one, before)).body.authenticated).toBe(true);
    expect((await check(two, before)).body.authenticated).toBe(true);
    // new tokens from the rotating instance carry the new kid, and the other instance, which has not
    // reloaded yet, accepts them (an unknown kid makes it reload)
    const after = (await one.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } })).body.data.accessToken;
    expect(kidOf(after)).toBe(current.kid);
    expect((await check(two, after)).body.authenticated).toBe(true);

    const audit = await one.call('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'signing_key.rotate', targetId: current.kid } });
    expect(audit.body.data).toHaveLength(1);
  });

  it('rotate by themselves when the newest is older than JWT_KEY_ROTATION_DAYS', async () => {
    const user = await registerOn(one);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // a third instance that wants keys younger than ~4 ms rotates at start
    const third = await startServer({ JWT_KEY_ROTATION_DAYS: '0.00000005' }, { database });
    try {
      const three = clientAt(third.url);
      const fresh = (await three.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } })).body.data.accessToken;
      expect(kidOf(fresh)).not.toBe(kidOf(user.token));
      expect((await check(three, user.token)).body.authenticated).toBe(true);
      expect((await check(one, fresh)).body.authenticated).toBe(true);
    } finally {
      await third.close();
    }
  });
});

describe('token verification', () => {
  it('accepts only HS256 tokens with a known kid and valid exp, iss and aud', async () => {
    const user = await registerOn(one);
    expect((await check(one, user.token)).body.authenticated).toBe(true);
    const kid = kidOf(user.token)!;
    const key = await keyMaterial(kid);
    const claims = { role: user.role, sid: JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()).sid as string };
    const now = Math.floor(Date.now() / 1000);
    const sign = (header: Record<string, unknown>, edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt, secret: Uint8Array = key) =>
      edit(new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, ...header } as { alg: string }).setSubject(user.id).setIssuedAt()).sign(secret);
    const valid = (jwt: SignJWT) => jwt.setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now + 600);

    // Signed without the library, which refuses to make some of the tokens below.
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const handSigned = (extraHeader: Record<string, unknown>) => {
      const body = `${encode({ alg: 'HS256', kid, ...extraHeader })}.${encode({ ...claims, sub: user.id, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 })}`;
      return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
    };

    // the controls: tokens made these ways are accepted
    expect((await check(one, await sign({}, valid))).body.authenticated).toBe(true);
    expect((await check(one, handSigned({ typ: 'JWT' }))).body.authenticated).toBe(true);

    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...claims, sub: user.id, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 }),
    ).toString('base64url')}.`;
    const refused: Record<string, string> = {
      'alg none': unsigned,
      'alg HS512': await sign({ alg: 'HS512' }, valid),
      'unknown kid': await sign({ kid: 'not-a-key' }, valid),
      'no kid': await sign({ kid: undefined }, valid),
      'expired': await sign({}, (jwt) => jwt.setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now - 60)),
      'no exp': await sign({}, (jwt) => jwt.setIssuer(ISSUER).setAudience(AUDIENCE)),
      'wrong iss': await sign({}, (jwt) => jwt.setIssuer('someone-else').setAudience(AUDIENCE).setExpirationTime(now + 600)),
      'wrong aud': await sign({}, (jwt) => jwt.setIssuer(ISSUER).setAudience('another-api').setExpirationTime(now + 600)),
      'signed with JWT_SECRET itself': await sign({}, valid, new TextEncoder().encode(TEST_JWT_SECRET)),
      'not yet valid (nbf)': await sign({}, (jwt) => valid(jwt).setNotBefore(now + 600)),
      'a critical extension': handSigned({ crit: ['b64'], b64: true }),
      'payload changed after signing': await (async () => {
        const [header, , signature] = (await sign({}, valid)).split('.');
        const admin = { ...claims, role: 'admin', sub: user.id, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 };
        return `${header}.${Buffer.from(JSON.stringify(admin)).toString('base64url')}.${signature}`;
      })(),
      'signature cut short': (await sign({}, valid)).slice(0, -4),
      'two parts': (await sign({}, valid)).split('.').slice(0, 2).join('.'),
      'not a token': 'not.a.token',
    };
    for (const [what, token] of Object.entries(refused)) {
      const res = await one.call('GET', '/api/analytics', { token });
      expect(res.status, what).toBe(401);
      expect(res.body.code, what).toBe('INVALID_TOKEN');
    }
  });
});

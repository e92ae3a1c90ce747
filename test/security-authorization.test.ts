// The authorization matrix (test/support/authz-matrix.ts) against the route table: every route, every
// role (anonymous, student, instructor, admin), a resource the caller may reach and one they may not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix, type Call, type Context } from './support/authz-matrix.js';
import { buildWorld, factories, type Ownership, type Role, ROLES, type World } from './support/authz-world.js';
import { type OwnServer, randomIp, startServer } from './support/security.js';

let server: OwnServer;
let world: World;
const ip = randomIp();

beforeAll(async () => {
  server = await startServer({
    RATE_LIMIT_IP_MAX: '1000000',
    RATE_LIMIT_USER_MAX: '1000000',
    RATE_LIMIT_AUTH_MAX: '1000000',
    LOCKOUT_DELAY_MS: '0',
    // the matrix signs its callers in many times over
    MAX_SESSIONS: '100',
  });
  world = await buildWorld(server.url);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

/** Sends the call and answers its status (and a short body for the failure message). A stream is closed at once. */
async function send(method: string, call: Call, token: string | undefined): Promise<{ status: number; body: string }> {
  const url = new URL(call.path, server.url);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { 'x-forwarded-for': ip };
  const bearer = call.token === null ? undefined : (call.token ?? token);
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body: BodyInit | undefined;
  if (call.upload) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(call.upload.bytes)]), call.upload.fileName);
    body = form;
  } else if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.body);
  }
  const aborter = new AbortController();
  const response = await fetch(url, { method, headers, body, signal: aborter.signal });
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    aborter.abort();
    return { status: response.status, body: '(stream)' };
  }
  return { status: response.status, body: (await response.text()).slice(0, 300) };
}

function callerOf(role: Role) {
  return role === 'anonymous' ? undefined : world[role];
}

function contextFor(role: Role, ownership: Ownership): Context {
  const owned = ownership === 'owned';
  return {
    world,
    role,
    ownership,
    caller: callerOf(role),
    side: owned ? world.own : world.foreign,
    learner: owned ? world.student : world.otherStudent,
    teacher: owned ? world.instructor : world.otherInstructor,
    make: factories(server.url),
  };
}

describe('authorization matrix', () => {
  it('has an entry for every route of the route table, and none for a route that is gone', () => {
    const routes = server.app.routeTable.map((route) => `${route.method} ${route.url}`);
    expect(routes.length).toBeGreaterThan(100);
    const missing = routes.filter((route) => !(route in matrix)).sort();
    expect(missing, `routes without an entry in test/support/authz-matrix.ts:\n${missing.join('\n')}`).toEqual([]);
    const stale = Object.keys(matrix).filter((route) => !routes.includes(route));
    expect(stale, 'entries for routes the server does not serve').toEqual([]);
  });

  it.each(Object.keys(matrix))('%s', async (route) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const entry = matrix[route]!;
    const mismatches: string[] = [];
    for (const role of ROLES) {
      for (const ownership of ['owned', 'foreign'] as const) {
        const expected = entry.expect[role];
        const status = typeof expected === 'number' ? expected : expected[ownership === 'owned' ? 0 : 1];
        const context = contextFor(role, ownership);
        const call = await entry.call(context);
        expect(call.path.startsWith(pattern.split('/:')[0]!), `${route}: ${call.path}`).toBe(true);
        const answer = await send(method, call, context.caller?.token);
        if (answer.status !== status) mismatches.push(`${role}/${ownership}: expected ${status}, got ${answer.status} ${answer.body}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

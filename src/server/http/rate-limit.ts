// Rate limits: every API request counts against its IP address, and against its user (or its API key)
// when signed in; sign-in, registration, password reset, MFA and verification requests also count
// against a strict bucket per IP and endpoint group. Counters are shared through Redis when REDIS_URL
// is set (per instance otherwise, and while Redis is unreachable). Answers carry the IETF draft headers
// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; a refusal is a 429
// with `Retry-After` and the RATE_LIMITED error. A route may declare its own limit with
// `config: { rateLimit: { max, timeWindow } }`, counted per caller.
import fastifyRateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecuritySettings } from '../config.js';
import type { CounterStore } from './counter-store.js';
import { RetryLaterError } from './errors.js';

/** Endpoint groups with the strict limit, matched on the route's path (all methods but GET). */
export const AUTH_ENDPOINT_GROUPS: readonly { group: string; pattern: RegExp; what: string }[] = [
  { group: 'mfa', pattern: /^\/api\/auth\/(login\/)?mfa(\/|$)/, what: 'multi-factor attempts' },
  { group: 'sign-in', pattern: /^\/api\/auth\/(signin|login)(\/|$)/, what: 'sign-in attempts' },
  { group: 'registration', pattern: /^\/api\/(auth\/(signup|register)|users\/register)$/, what: 'registrations' },
  { group: 'password', pattern: /^\/api\/auth\/(password|forgot-password|reset-password)(\/|$)/, what: 'password reset requests' },
  { group: 'verification', pattern: /^\/api\/auth\/(email|verify|verification)(\/|-|$)/, what: 'verification requests' },
];

/** Probes are called by load balancers many times a minute and reveal nothing. */
const UNLIMITED = new Set(['/api/health', '/api/ready', '/api/metrics']);

export const authEndpointGroup = (method: string, path: string) =>
  method === 'GET' || method === 'HEAD' ? undefined : AUTH_ENDPOINT_GROUPS.find((g) => g.pattern.test(path));

const routePath = (request: FastifyRequest): string => request.routeOptions.url ?? request.url.split('?')[0]!;

/** The caller's own bucket: their API key, else their user id, else their address. */
export function principalKey(request: FastifyRequest): string {
  const user = request.user;
  if (user?.apiKey) return `key:${user.apiKey.id}`;
  if (user) return `user:${user.id}`;
  return `ip:${request.ip}`;
}

/** Adapts a CounterStore to the store interface of @fastify/rate-limit. */
function storeAdapter(counters: CounterStore) {
  return class CounterStoreAdapter implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      counters.increment(`rl:${key}`, timeWindow).then(
        (counter) => callback(null, { current: counter.count, ttl: counter.ttlMs }),
        (error: Error) => callback(error),
      );
    }
    child() {
      return this;
    }
  };
}

interface Outcome {
  name: string;
  max: number;
  windowMs: number;
  remaining: number;
  resetMs: number;
  exceeded: boolean;
  message: string;
}

function setHeaders(reply: FastifyReply, outcomes: Outcome[]) {
  // The bucket closest to running out is the one the caller should pace itself by.
  const tightest = outcomes.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetMs > a.resetMs) ? b : a));
  reply.header('ratelimit-limit', tightest.max);
  reply.header('ratelimit-remaining', tightest.remaining);
  reply.header('ratelimit-reset', Math.ceil(tightest.resetMs / 1000));
  reply.header('ratelimit-policy', outcomes.map((o) => `${o.max};w=${Math.ceil(o.windowMs / 1000)}`).join(', '));
}

export async function registerRateLimits(app: FastifyInstance, settings: SecuritySettings['rateLimit'], counters: CounterStore) {
  await app.register(fastifyRateLimit, {
    global: false,
    enableDraftSpec: true,
    store: storeAdapter(counters),
    keyGenerator: principalKey,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new RetryLaterError('RATE_LIMITED', `Too many requests to this endpoint; retry in ${seconds} s`, seconds);
    },
  });
  if (!settings.enabled) return;

  const limiter = (name: string, max: number, windowMs: number, key: (request: FastifyRequest) => string, message: string) => {
    const check = app.createRateLimit({ max, timeWindow: windowMs, keyGenerator: (request) => `${name}:${key(request)}` });
    return async (request: FastifyRequest): Promise<Outcome> => {
      const result = await check(request);
      if (result.isAllowed) return { name, max, windowMs, remaining: max, resetMs: 0, exceeded: false, message };
      return { name, max, windowMs, remaining: result.remaining, resetMs: result.ttl, exceeded: result.isExceeded, message };
    };
  };
  const perIp = limiter('ip', settings.perIp, settings.windowMs, (r) => r.ip, 'Too many requests from this address');
  const perUser = limiter('user', settings.perUser, settings.windowMs, (r) => r.user!.id, 'Too many requests for this account');
  const perKey = limiter('key', settings.perApiKey, settings.windowMs, (r) => r.user!.apiKey!.id, 'Too many requests with this API key');
  const authLimiters = new Map(
    AUTH_ENDPOINT_GROUPS.map(({ group, what }) => [
      group,
      limiter(`auth-${group}`, settings.auth, settings.authWindowMs, (r) => r.ip, `Too many ${what} from this address`),
    ]),
  );

  // After authentication (registered later than it), so that the user's and the key's buckets are known.
  app.addHook('onRequest', async (request, reply) => {
    const path = routePath(request);
    if (!path.startsWith('/api/') || UNLIMITED.has(path) || request.method === 'OPTIONS') return;
    const checks = [perIp(request)];
    const group = authEndpointGroup(request.method, path);
    if (group) checks.push(authLimiters.get(group.group)!(request));
    if (request.user?.apiKey) checks.push(perKey(request));
    else if (request.user) checks.push(perUser(request));
    const outcomes = await Promise.all(checks);
    setHeaders(reply, outcomes);
    const exceeded = outcomes.filter((o) => o.exceeded);
    if (!exceeded.length) return;
    const wait = exceeded.reduce((a, b) => (b.resetMs > a.resetMs ? b : a));
    const seconds = Math.max(1, Math.ceil(wait.resetMs / 1000));
    throw new RetryLaterError('RATE_LIMITED', `${wait.message}; retry in ${seconds} s`, seconds);
  });
}

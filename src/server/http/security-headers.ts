// Response headers that protect browsers (helmet's, computed once), and CORS for the origins in CORS_ORIGINS.
// The Content Security Policy fits the web app served from this origin and the API reference page:
// scripts only from this origin (no inline script, no eval), inline styles allowed (the reference page and
// component libraries set style attributes), images from this origin, data: and blob:, connections
// (fetch, WebSocket) to this origin only, no plugins, no framing (frame-ancestors 'none', X-Frame-Options).
// In production: HSTS for a year and upgrade-insecure-requests.
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import type { OriginPolicy } from './origins.js';

/** Request headers a browser on a CORS origin may send, and response headers it may read. */
const ALLOWED_HEADERS = [
  'accept',
  'accept-language',
  'authorization',
  'content-type',
  'idempotency-key',
  'if-match',
  'if-none-match',
  'last-event-id',
  'x-api-key',
  'x-csrf-token',
  'x-request-id',
];
const EXPOSED_HEADERS = [
  'content-disposition',
  'etag',
  'idempotent-replayed',
  'location',
  'ratelimit-limit',
  'ratelimit-policy',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'x-csrf-token',
  'x-request-id',
];

/** The same origin's WebSocket address: CSP 'self' does not cover ws: in every browser. */
function webSocketOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
}

export function contentSecurityPolicy(production: boolean, publicUrl: string) {
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'", webSocketOrigin(publicUrl)],
      workerSrc: ["'self'", 'blob:'],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      ...(production ? { upgradeInsecureRequests: [] } : {}),
    },
  };
}

type HelmetOptions = NonNullable<Parameters<typeof fastifyHelmet>[1]>;

/**
 * The headers helmet sets with these options, found once by answering one request with and one without
 * it: they do not depend on the request, while helmet builds them again (the CSP string included) for
 * every request it sees.
 */
export async function helmetHeaders(options: HelmetOptions): Promise<[string, string][]> {
  const answer = async (withHelmet: boolean) => {
    const probe = Fastify({ logger: false });
    if (withHelmet) await probe.register(fastifyHelmet, options);
    probe.get('/', async () => '');
    try {
      return (await probe.inject('/')).headers;
    } finally {
      await probe.close();
    }
  };
  const [plain, secured] = await Promise.all([answer(false), answer(true)]);
  return Object.entries(secured)
    .filter(([name, value]) => name !== 'date' && value !== undefined && plain[name] !== value)
    .map(([name, value]) => [name, String(value)]);
}

export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: { production: boolean; publicUrl: string; origins: OriginPolicy },
): Promise<void> {
  const headers = await helmetHeaders({
    contentSecurityPolicy: contentSecurityPolicy(options.production, options.publicUrl),
    hsts: options.production ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true } : false,
    // Media and files are fetched by the web app, from this origin or (with CORS) a listed one.
    crossOriginResourcePolicy: { policy: options.origins.corsOrigins.size ? 'cross-origin' : 'same-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  // On the raw response, as helmet sets them: they stay on every answer, errors and hijacked replies included.
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
  const listed = options.origins.corsOrigins;
  await app.register(fastifyCors, {
    // Only listed origins get CORS headers; the platform's own pages need none.
    origin: (origin, callback) => callback(null, origin !== undefined && listed.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}

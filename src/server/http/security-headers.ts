// Response headers that protect browsers (helmet), and CORS for the origins in CORS_ORIGINS.
// The Content Security Policy fits the web app served from this origin and the API reference page:
// scripts only from this origin (no inline script, no eval), inline styles allowed (the reference page and
// component libraries set style attributes), images from this origin, data: and blob:, connections
// (fetch, WebSocket) to this origin only, no plugins, no framing (frame-ancestors 'none', X-Frame-Options).
// In production: HSTS for a year and upgrade-insecure-requests.
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
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

export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: { production: boolean; publicUrl: string; origins: OriginPolicy },
): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: contentSecurityPolicy(options.production, options.publicUrl),
    hsts: options.production ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true } : false,
    // Media and files are fetched by the web app, from this origin or (with CORS) a listed one.
    crossOriginResourcePolicy: { policy: options.origins.corsOrigins.size ? 'cross-origin' : 'same-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
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

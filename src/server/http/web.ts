// Serves the built web app (dist/web) at `/`: its files from memory, compressed copies made at build
// time (.br, .gz) chosen by Accept-Encoding, hashed assets cached for a year as immutable, and
// index.html, never cached without asking, for every client-side route. Paths under /api stay the
// API's: an unknown one is the API's 404, never the app; so are paths with a dotfile. Without a
// build, the plain home page stays.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defaultWebDir } from '../paths.js';
import { registerHomePage } from './home.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

interface Variant {
  body: Buffer;
  etag: string;
}

interface Asset {
  type: string;
  cacheControl: string;
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

const variant = (body: Buffer): Variant => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** Every file of the build by URL path; the .br and .gz copies ride along with their original. */
export function loadWebAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const path of walk(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    // Dotfiles (the build stamp) and the compressed copies are not served on their own.
    if (name.split('/').some((part) => part.startsWith('.')) || /\.(br|gz)$/.test(name)) continue;
    const isHashed = name.startsWith('assets/');
    const asset: Asset = {
      type: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: name === 'index.html' ? REVALIDATE : isHashed ? IMMUTABLE : SHORT,
      identity: variant(readFileSync(path)),
    };
    if (existsSync(`${path}.br`)) asset.br = variant(readFileSync(`${path}.br`));
    if (existsSync(`${path}.gz`)) asset.gzip = variant(readFileSync(`${path}.gz`));
    assets.set(`/${name}`, asset);
  }
  return assets;
}

/** The encodings the client accepts, by its Accept-Encoding (an explicit q=0 refuses one). */
function accepted(header: string | undefined): Set<string> {
  const result = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (token && !(q && Number(q.slice(2)) === 0)) result.add(token);
  }
  return result;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  const encodings = accepted(request.headers['accept-encoding']);
  const [encoding, chosen] =
    asset.br && encodings.has('br') ? ['br', asset.br] : asset.gzip && encodings.has('gzip') ? ['gzip', asset.gzip] : [undefined, asset.identity];
  reply.header('content-type', asset.type).header('cache-control', asset.cacheControl).header('etag', chosen.etag);
  if (asset.br || asset.gzip) reply.header('vary', 'Accept-Encoding');
  if (encoding) reply.header('content-encoding', encoding);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === chosen.etag || tag.trim() === '*')) {
    return reply.code(304).send();
  }
  return reply.header('content-length', chosen.body.length).send(chosen.body);
}

/** Client-side routes look like pages: no file extension in their last segment. */
const looksLikeFile = (path: string) => /\.[A-Za-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1));

export function registerWebApp(app: FastifyInstance, dir: string = defaultWebDir): void {
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.info({ dir }, 'the web app is not built: serving the plain home page at /');
    registerHomePage(app);
    return;
  }
  const assets = loadWebAssets(dir);
  const index = assets.get('/index.html')!;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (path === '/api' || path.startsWith('/api/') || path.includes('/.')) return reply.callNotFound();
    const asset = assets.get(path);
    if (asset) return send(request, reply, asset);
    if (looksLikeFile(path)) return reply.callNotFound();
    return send(request, reply, index);
  };
  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
}

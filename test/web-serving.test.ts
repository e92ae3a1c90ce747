// Serving the built web app: compressed copies chosen by Accept-Encoding, caching by kind of file,
// index.html for client-side routes, and /api left to the API.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerErrorHandling } from '../src/server/http/errors.js';
import { registerWebApp } from '../src/server/http/web.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/main-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `export const app = ${JSON.stringify('x'.repeat(4000))};\n`;

async function serve(dir: string): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  registerErrorHandling(app);
  app.get('/api/health', async () => ({ status: 'ok' }));
  registerWebApp(app, dir);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

describe('the built web app', () => {
  let dir: string;
  let server: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skilled-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'index.html.gz'), gzipSync(INDEX));
    writeFileSync(join(dir, 'assets', 'main-Ab12Cd34.js'), SCRIPT);
    writeFileSync(join(dir, 'assets', 'main-Ab12Cd34.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(dir, 'assets', 'main-Ab12Cd34.js.gz'), gzipSync(SCRIPT));
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, '.build-id'), 'abc\n');
    server = await serve(dir);
  });

  afterAll(async () => {
    await server.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { 'accept-encoding': 'identity', ...headers } });

  test('answers / and every client-side route with index.html, revalidated on each visit', async () => {
    for (const path of ['/', '/courses', '/courses/6f1c0c52-3b8e-4b8a-9d3e-0c3f0f7f2f11/lessons/x', '/teach/grading?status=submitted']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
    }
    const first = await get('/');
    const again = await get('/dashboard', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  test('sends hashed assets compressed as the client accepts, cached for a year as immutable', async () => {
    const br = await fetch(`${server.url}/assets/main-Ab12Cd34.js`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(br.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await br.text()).toBe(SCRIPT); // fetch decodes it

    const gz = await get('/assets/main-Ab12Cd34.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const raw = await get('/assets/main-Ab12Cd34.js');
    expect(raw.headers.get('content-encoding')).toBeNull();
    expect(Number(raw.headers.get('content-length'))).toBe(Buffer.byteLength(SCRIPT));
    // Each encoding has its own ETag, so a cache never mixes them up.
    expect(gz.headers.get('etag')).not.toBe(raw.headers.get('etag'));
    const notModified = await get('/assets/main-Ab12Cd34.js', { 'if-none-match': raw.headers.get('etag')! });
    expect(notModified.status).toBe(304);
  });

  test('the compressed bytes on the wire are the gzip of the file', async () => {
    const res = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get: httpGet }) =>
        httpGet(`${server.url}/assets/main-Ab12Cd34.js`, { headers: { 'accept-encoding': 'gzip' } }, (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    expect(gunzipSync(res).toString()).toBe(SCRIPT);
  });

  test('leaves /api to the API: an unknown API path is its 404, never the app', async () => {
    expect((await get('/api/health')).status).toBe(200);
    for (const path of ['/api/nothing-here', '/api']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect((await res.json()).code).toBe('ROUTE_NOT_FOUND');
    }
  });

  test('a missing file is a 404, and the build stamp and other dotfiles are not served', async () => {
    for (const path of ['/assets/missing-123.js', '/.build-id', '/favicon.ico', '/assets/main-Ab12Cd34.js.gz']) {
      expect((await get(path)).status, path).toBe(404);
    }
    // A malformed address is refused, never answered with the app.
    expect((await get('/%E0%A4%A')).status).toBe(400);
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  test('answers HEAD like GET, without a body', async () => {
    const res = await fetch(`${server.url}/courses`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  test('without a build, / is the plain home page that points to the API', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'skilled-web-empty-'));
    const bare = await serve(empty);
    try {
      const res = await fetch(`${bare.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('/api/docs');
      expect((await fetch(`${bare.url}/courses`)).status).toBe(404);
    } finally {
      await bare.app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

// The OpenAPI document is generated from the routes' contract schemas: every API route must be in it,
// with an operationId, its parameters and its responses.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { api, baseUrl } from './support/api.js';

let app: FastifyInstance;
let database: DatabaseHandle;

beforeAll(async () => {
  database = await openDatabase({});
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-openapi-')), NODE_ENV: 'test' });
  app = await buildApp({ config, database, logger: false });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await database.close();
});

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('lists every API route with an operationId and responses', () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, { operationId?: string; responses?: object }>> };
    expect(app.routeTable.length).toBeGreaterThan(10);
    const missing: string[] = [];
    const operationIds = new Set<string>();
    for (const { method, url } of app.routeTable) {
      const operation = doc.paths[toOpenApiPath(url)]?.[method.toLowerCase()];
      if (!operation?.operationId || !operation.responses) {
        missing.push(`${method} ${url}`);
        continue;
      }
      expect(operationIds.has(operation.operationId), `duplicate operationId ${operation.operationId}`).toBe(false);
      operationIds.add(operation.operationId);
    }
    expect(missing).toEqual([]);
  });

  it('defines every schema it refers to', () => {
    const doc = app.swagger() as { components?: { schemas?: Record<string, unknown> } };
    const refs = new Set([...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!));
    expect(refs.size).toBeGreaterThan(5);
    expect(refs.has('ErrorResponse')).toBe(true);
    const dangling = [...refs].filter((name) => !doc.components?.schemas?.[decodeURIComponent(name)]);
    expect(dangling).toEqual([]);
  });

  it('is served at /api/docs/openapi.json with the reference page at /api/docs', async () => {
    const doc = await api('GET', '/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/courses/{courseId}']).toBeDefined();
    const page = await fetch(new URL('/api/docs/', baseUrl()));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger/i);
  });
});

describe('HTTP caching', () => {
  it('GET responses carry an ETag and honour If-None-Match with 304', async () => {
    const first = await api('GET', '/api/courses');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const second = await api('GET', '/api/courses', { headers: { 'if-none-match': etag! } });
    expect(second.status).toBe(304);
  });
});

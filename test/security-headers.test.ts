// Security headers (helmet): the Content Security Policy, framing, HSTS in production; cookie flags;
// CORS only for CORS_ORIGINS; and the API reference page working under the policy.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/server/config.js';
import { api, baseUrl, createStudent } from './support/api.js';
import { hasChromium, launchBrowser, watchPage } from './support/browser.js';
import { TEST_JWT_SECRET } from './support/constants.js';
import { clientAt, cookiesOf, type OwnServer, registerOn, startServer } from './support/security.js';

function directives(header: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

describe('every response', () => {
  it('carries a CSP for a same-origin single-page app and the usual hardening headers', async () => {
    const res = await api('GET', '/api/courses');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('script-src-attr')).toEqual(["'none'"]);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp.get('connect-src')?.[0]).toBe("'self'");
    expect(csp.get('connect-src')?.[1]).toMatch(/^ws:\/\//);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('session cookies are HttpOnly and SameSite, and not Secure outside production', async () => {
    const student = await createStudent();
    const res = await api('POST', '/api/auth/signin', { body: { email: student.email, password: student.password } });
    const cookies = cookiesOf(res);
    expect(cookies.get('skilled_access')).toMatch(/HttpOnly/i);
    expect(cookies.get('skilled_access')).toMatch(/SameSite=Lax/i);
    expect(cookies.get('skilled_refresh')).toMatch(/HttpOnly/i);
    expect(cookies.get('skilled_refresh')).toMatch(/SameSite=Strict/i);
    expect(cookies.get('skilled_refresh')).toMatch(/Path=\/api\/auth/i);
    expect(cookies.get('skilled_access')).not.toMatch(/Secure/i);
  });
});

describe('in production', () => {
  let server: OwnServer;

  beforeAll(async () => {
    server = await startServer({ NODE_ENV: 'production', PUBLIC_URL: 'https://skilled.example' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('adds HSTS and upgrade-insecure-requests, allows wss: to the public host, and marks cookies Secure', async () => {
    const client = clientAt(server.url);
    const res = await client.call('GET', '/api/health');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
    expect(csp.get('connect-src')).toEqual(["'self'", 'wss://skilled.example']);
    const user = await registerOn(client);
    const signIn = await client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } });
    const cookies = cookiesOf(signIn);
    for (const name of ['skilled_access', 'skilled_refresh']) {
      expect(cookies.get(name)).toMatch(/;\s*Secure/i);
      expect(cookies.get(name)).toMatch(/HttpOnly/i);
    }
  });
});

describe('CORS', () => {
  it('is off by default: no origin gets CORS headers', async () => {
    const preflight = await api('OPTIONS', '/api/courses', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const get = await api('GET', '/api/courses', { headers: { origin: 'https://app.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with CORS_ORIGINS, allows exactly those origins, with credentials and the headers clients need', async () => {
    const server = await startServer({ CORS_ORIGINS: 'https://app.example,https://admin.example/' });
    try {
      const client = clientAt(server.url);
      const preflight = await client.call('OPTIONS', '/api/courses', {
        headers: { origin: 'https://admin.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-csrf-token' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-csrf-token');
      const get = await client.call('GET', '/api/courses', { headers: { origin: 'https://app.example' } });
      expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(get.headers.get('access-control-expose-headers')).toContain('ratelimit-remaining');
      expect(get.headers.get('access-control-expose-headers')).toContain('x-csrf-token');
      const other = await client.call('GET', '/api/courses', { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('refuses a CORS_ORIGINS value that is not an http(s) origin', async () => {
    for (const value of ['javascript:alert(1)', 'app.example', 'https://ok.example,ftp://files.example']) {
      expect(() => loadConfig({ CORS_ORIGINS: value, DATA_DIR: tmpdir(), JWT_SECRET: TEST_JWT_SECRET }), value).toThrow(/CORS_ORIGINS/);
    }
    expect(loadConfig({ CORS_ORIGINS: ' https://a.example/ , http://localhost:5173', DATA_DIR: tmpdir(), JWT_SECRET: TEST_JWT_SECRET }).security.corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
  });
});

describe('the API reference page', () => {
  it('loads only same-origin scripts and styles, all of which are served', async () => {
    const page = await fetch(new URL('/api/docs/', baseUrl()));
    expect(page.status).toBe(200);
    const html = await page.text();
    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    // no inline script (which script-src 'self' would block)
    expect([...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]!.trim())).toEqual(['', '', '']);
    const assets = [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"/gi)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const url = new URL(asset, new URL('/api/docs/', baseUrl()));
      expect(url.origin, asset).toBe(new URL(baseUrl()).origin);
      const res = await fetch(url);
      expect(res.status, asset).toBe(200);
    }
  });

  it.skipIf(!hasChromium())('renders in a browser without any Content-Security-Policy violation', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems = watchPage(page);
      await page.goto(new URL('/api/docs/', baseUrl()).toString());
      await page.waitForSelector('.opblock', { timeout: 20_000 });
      expect(await page.locator('.opblock').count()).toBeGreaterThan(0);
      expect(problems.cspViolations).toEqual([]);
      expect(problems.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

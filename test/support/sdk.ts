// SDK clients for the test users of api.ts, a recorder of the requests a client makes, and the check
// that recorded requests called given routes of the SDK's table successfully.
import { expect } from 'vitest';
import { ApiClient, type ApiClientOptions } from '../../src/sdk/api-client.js';
import { ELearningApiClient, type SdkRoute, sdkRoutes } from '../../src/sdk/elearning-client.js';
import { baseUrl, type TestUser } from './api.js';
import type { SdkRouteKey } from './sdk-route-groups.js';

/** Short waits between retries, so that tests stay fast. */
const FAST: ApiClientOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 50 };

export function sdkFor(user: TestUser | undefined, options: ApiClientOptions = {}): ELearningApiClient {
  return new ELearningApiClient({
    baseUrl: baseUrl(),
    authMode: 'bearer',
    ...(user ? { tokens: { accessToken: user.token, refreshToken: user.refreshToken } } : {}),
    ...FAST,
    ...options,
  });
}

export function coreFor(user: TestUser | undefined, options: ApiClientOptions = {}): ApiClient {
  return new ApiClient({
    baseUrl: baseUrl(),
    authMode: 'bearer',
    ...(user ? { tokens: { accessToken: user.token, refreshToken: user.refreshToken } } : {}),
    ...FAST,
    ...options,
  });
}

export interface Exchange {
  method: string;
  url: string;
  path: string;
  requestHeaders: Record<string, string>;
  status: number;
  responseHeaders: Record<string, string>;
}

/** Records every request the client sends and the status it gets back (through the interceptors). */
export function record(client: ApiClient): Exchange[] {
  const log: Exchange[] = [];
  client.interceptors.response.push((response, context) => {
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => (responseHeaders[key] = value));
    const url = new URL(context.url);
    log.push({
      method: context.method,
      url: context.url,
      path: url.pathname,
      requestHeaders: { ...context.headers },
      status: response.status,
      responseHeaders,
    });
    return response;
  });
  return log;
}

export const routeKey = (route: Pick<SdkRoute, 'method' | 'path'>): SdkRouteKey => `${route.method} ${route.path}` as SdkRouteKey;

/** The route of the SDK's table a request went to. */
export function sdkRouteOf(method: string, path: string): SdkRoute | undefined {
  const matches = sdkRoutes.filter(
    (route) => route.method === method && new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
  // A literal segment beats a parameter (/api/analytics/report is not /api/analytics/{userId}).
  return matches.sort((a, b) => a.path.split('{').length - b.path.split('{').length)[0];
}

/** Fails, naming them, unless each of `routeKeys` got a 2xx answer to one of the recorded requests. */
export function expectRoutesCalled(logs: readonly (readonly Exchange[])[], routeKeys: readonly SdkRouteKey[]): void {
  const called = new Set<string>();
  for (const exchange of logs.flat()) {
    const route = sdkRouteOf(exchange.method, exchange.path);
    if (route && exchange.status >= 200 && exchange.status < 300) called.add(routeKey(route));
  }
  const missing = routeKeys.filter((key) => !called.has(key));
  expect(missing, `routes not called successfully:\n${missing.join('\n')}`).toEqual([]);
}

/** `client`, with its exchanges recorded into `logs` (for `expectRoutesCalled`). */
export function recordInto<C extends ApiClient>(logs: Exchange[][], client: C): C {
  logs.push(record(client));
  return client;
}

/** A fetch with a cookie jar, as a browser keeps one: what cookie mode needs outside a browser. */
export function cookieJarFetch(): { fetch: typeof fetch; jar: Map<string, string> } {
  const jar = new Map<string, string>();
  const jarFetch: typeof fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) <= Date.now()) || value === '';
      if (expired) jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
    }
    return response;
  };
  return { fetch: jarFetch, jar };
}

/** An access token the server refuses: a real one with its signature changed. */
export function spoiled(token: string): string {
  return `${token.split('.').slice(0, 2).join('.')}.c2lnbmF0dXJlLWNoYW5nZWQ`;
}

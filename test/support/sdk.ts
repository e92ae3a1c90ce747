// SDK clients for the test users of api.ts, and a recorder of the requests a client makes.
import { ApiClient, type ApiClientOptions } from '../../src/sdk/api-client.js';
import { ELearningApiClient } from '../../src/sdk/elearning-client.js';
import { baseUrl, type TestUser } from './api.js';

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

// The one HTTP client every front end and script uses: authentication with a shared refresh,
// interceptors, timeouts, retries that are safe to repeat, ETag caching, request sharing, uploads
// with progress, downloads and batches. Runs in browsers and in Node 20 with no polyfills.
import type { AuthTokens } from '../contract/auth.js';
import type { ErrorResponse } from '../contract/errors.js';
import { ApiError, type ApiErrorInit, ConflictError, shouldRetry } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];
export type QueryParams = Record<string, QueryValue>;

export interface ApiRequest {
  method: HttpMethod;
  endpoint: string;
  params?: QueryParams;
  data?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface RequestOptions {
  params?: QueryParams;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Milliseconds before the request is abandoned (default: the client's). */
  timeoutMs?: number;
  /** For mutations: the key to send, or false to send none (and not retry). Default: a new one. */
  idempotencyKey?: string | false;
  /** Set false to never retry this request. */
  retry?: boolean;
  /** How to read a successful body. */
  responseType?: 'json' | 'blob' | 'text';
}

export interface UploadOptions {
  /** The form field of the file (default `file`). */
  fieldName?: string;
  /** Default: the File's name, else `upload`. */
  fileName?: string;
  /** Other form fields, sent before the file. */
  fields?: Record<string, string>;
  signal?: AbortSignal;
}

export interface RequestContext {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export type RequestInterceptor = (context: RequestContext) => RequestContext | Promise<RequestContext>;
export type ResponseInterceptor = (response: Response, context: RequestContext) => Response | Promise<Response>;

export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: string;
}

export interface ApiClientOptions {
  /** Origin of the API; '' (the default) means the page's own origin in a browser. */
  baseUrl?: string;
  /**
   * 'cookie' for browsers (HTTP-only cookies), 'bearer' for scripts. Default: cookie in a browser,
   * bearer elsewhere. Outside a browser, cookie mode needs a `fetch` that keeps cookies (Node's own
   * fetch has no cookie jar), so it is refused without one.
   */
  authMode?: 'cookie' | 'bearer';
  tokens?: SessionTokens;
  /** Called whenever the tokens change (sign-in, refresh, sign-out: null), e.g. to persist them. */
  onTokens?: (tokens: SessionTokens | null) => void;
  /** Called when the session cannot be refreshed any more. */
  onSessionExpired?: () => void;
  /** Per attempt, default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, default 3. */
  maxRetries?: number;
  /** Backoff: a random wait up to base × 2^attempt, capped at max (defaults 200 ms and 10 s). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** The longest Retry-After waited for (default 60 s); a longer one fails at once. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

interface CachedResponse {
  etag: string;
  data: unknown;
}

const REFRESH_ENDPOINT = '/api/auth/refresh';
// A 401 from these means wrong credentials or a dead session, never an expired access token.
const NO_REFRESH_ENDPOINTS = new Set(['/api/auth/signin', '/api/auth/signup', '/api/users/register', REFRESH_ENDPOINT, '/api/auth/signout']);
const NO_REFRESH_CODES = new Set(['INVALID_CREDENTIALS', 'INVALID_REFRESH_TOKEN']);
const isBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

const aborted = (cause?: unknown) =>
  new ApiError({ status: 0, code: 'ABORTED', message: 'The request was cancelled', ...(cause === undefined ? {} : { cause }) });

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function buildQuery(params: QueryParams | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function headersToRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => (record[key] = value));
  return record;
}

export class ApiClient {
  readonly interceptors = {
    request: [] as RequestInterceptor[],
    response: [] as ResponseInterceptor[],
  };

  protected readonly baseUrl: string;
  protected readonly authMode: 'cookie' | 'bearer';
  private tokens: SessionTokens | undefined;
  private readonly options: ApiClientOptions;
  private readonly fetchImpl: typeof fetch;
  private refreshing: Promise<boolean> | undefined;
  /** Bumped by every refresh, so a request that failed with an older session replays instead of refreshing again. */
  private sessionGeneration = 0;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly etagCache = new Map<string, CachedResponse>();

  constructor(options: ApiClientOptions = {}) {
    this.options = options;
    this.baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
    this.authMode = options.authMode ?? (isBrowser ? 'cookie' : 'bearer');
    if (this.authMode === 'cookie' && !isBrowser && !options.fetch) {
      throw new TypeError(
        "authMode 'cookie' outside a browser needs a fetch that keeps cookies (options.fetch); use authMode 'bearer' in scripts",
      );
    }
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  // The spec's interface.
  get<T>(endpoint: string, params?: QueryParams, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', endpoint, undefined, { ...options, params: { ...options.params, ...params } });
  }
  post<T>(endpoint: string, data?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', endpoint, data, options);
  }
  put<T>(endpoint: string, data?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', endpoint, data, options);
  }
  patch<T>(endpoint: string, data?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', endpoint, data, options);
  }
  delete<T>(endpoint: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', endpoint, undefined, options);
  }

  /**
   * Runs up to 20 requests in one round trip, in order, as the caller; each answer has its own status.
   * Sent with an Idempotency-Key like any write, so a retried batch is run once.
   */
  async batch(requests: ApiRequest[], options?: RequestOptions): Promise<ApiResponse[]> {
    const result = await this.post<{ data: { status: number; headers: Record<string, string>; body: unknown }[] }>(
      '/api/batch',
      {
        requests: requests.map((r) => ({
          method: r.method,
          path: `${r.endpoint}${buildQuery(r.params)}`,
          ...(r.data === undefined ? {} : { body: r.data }),
          ...(r.headers ? { headers: r.headers } : {}),
        })),
      },
      options,
    );
    return result.data.map((item) => ({ status: item.status, headers: item.headers, data: item.body }));
  }

  /** Uploads a file as multipart/form-data, reporting progress from 0 to 1 as the bytes leave. */
  async uploadFile<T = unknown>(
    endpoint: string,
    file: Blob,
    onProgress?: (progress: number) => void,
    options: UploadOptions = {},
  ): Promise<T> {
    const fieldName = options.fieldName ?? 'file';
    const fileName = options.fileName ?? (file as Blob & { name?: string }).name ?? 'upload';
    const send = async () => {
      // Request interceptors see the upload too (its body is the file, not a string).
      let context: RequestContext = { method: 'POST', url: `${this.baseUrl}${endpoint}`, headers: this.authHeaders(), body: undefined };
      for (const interceptor of this.interceptors.request) context = await interceptor(context);
      return typeof XMLHttpRequest !== 'undefined'
        ? this.uploadWithXhr<T>(context, file, fieldName, fileName, options, onProgress)
        : this.uploadWithStream<T>(context, file, fieldName, fileName, options, onProgress);
    };
    const generation = this.sessionGeneration;
    try {
      return await send();
    } catch (error) {
      if (this.mayRefreshAfter(error, endpoint) && (generation !== this.sessionGeneration || (await this.refreshSession()))) {
        return send();
      }
      throw error;
    }
  }

  /** Downloads a file as a Blob; in a browser it is also saved under its file name. */
  async downloadFile(endpoint: string, filename?: string, params?: QueryParams): Promise<Blob> {
    const { data, headers } = await this.execute<Blob>('GET', endpoint, undefined, { params, responseType: 'blob' });
    if (isBrowser) {
      const name = filename ?? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(headers['content-disposition'] ?? '')?.[1] ?? 'download';
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = decodeURIComponent(name);
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }
    return data;
  }

  setTokens(tokens: SessionTokens | null): void {
    this.tokens = tokens ?? undefined;
    this.options.onTokens?.(tokens);
  }

  getTokens(): SessionTokens | undefined {
    return this.tokens;
  }

  /** Forgets the session and every cached response. */
  clearSession(): void {
    this.setTokens(null);
    this.etagCache.clear();
    this.inFlight.clear();
  }

  /**
   * Signs in. In bearer mode the tokens are kept (and handed to `onTokens`); in cookie mode the
   * server's HTTP-only cookies carry the session and the client keeps no token.
   */
  async signIn(email: string, password: string, options: RequestOptions = {}): Promise<AuthTokens> {
    const { data } = await this.request<{ data: AuthTokens }>(
      'POST',
      '/api/auth/signin',
      { email, password },
      { idempotencyKey: false, ...options },
    );
    this.etagCache.clear();
    this.inFlight.clear();
    this.sessionGeneration++;
    if (this.authMode === 'bearer') {
      this.setTokens({ accessToken: data.accessToken, refreshToken: data.refreshToken, expiresAt: data.expiresAt });
    }
    return data;
  }

  /** Ends the session on the server (its refresh token stops working) and forgets it here, even if the server cannot be reached. */
  async signOut(options: RequestOptions = {}): Promise<void> {
    const refreshToken = this.authMode === 'bearer' ? this.tokens?.refreshToken : undefined;
    try {
      await this.request('POST', '/api/auth/signout', refreshToken ? { refreshToken } : undefined, {
        idempotencyKey: false,
        ...options,
      });
    } finally {
      this.clearSession();
    }
  }

  /** The ETag last seen for a GET of this endpoint, to send back in `If-Match` with an edit. */
  etagFor(endpoint: string, params?: QueryParams): string | undefined {
    return this.etagCache.get(`${this.baseUrl}${endpoint}${buildQuery(params)}`)?.etag;
  }

  async request<T>(method: HttpMethod, endpoint: string, data?: unknown, options: RequestOptions = {}): Promise<T> {
    if (method === 'GET' && !options.signal) {
      // Identical GETs in flight share one request.
      const key = `${this.baseUrl}${endpoint}${buildQuery(options.params)}|${options.responseType ?? 'json'}|${JSON.stringify(options.headers ?? {})}`;
      const pending = this.inFlight.get(key);
      if (pending) return pending as Promise<T>;
      const promise = this.execute<T>(method, endpoint, data, options).then((r) => r.data);
      this.inFlight.set(key, promise);
      const forget = () => this.inFlight.delete(key);
      promise.then(forget, forget);
      return promise;
    }
    return (await this.execute<T>(method, endpoint, data, options)).data;
  }

  protected async execute<T>(
    method: HttpMethod,
    endpoint: string,
    data: unknown,
    options: RequestOptions,
  ): Promise<{ data: T; headers: Record<string, string>; status: number }> {
    const url = `${this.baseUrl}${endpoint}${buildQuery(options.params)}`;
    const idempotencyKey =
      method === 'GET' || options.idempotencyKey === false
        ? undefined
        : (options.idempotencyKey ?? globalThis.crypto.randomUUID());
    const retryable = options.retry !== false && (method === 'GET' || idempotencyKey !== undefined);
    const maxRetries = retryable ? (this.options.maxRetries ?? 3) : 0;
    let refreshed = false;

    for (let attempt = 0; ; attempt++) {
      const generation = this.sessionGeneration;
      try {
        return await this.attempt<T>(method, url, endpoint, data, options, idempotencyKey);
      } catch (error) {
        if (!refreshed && this.mayRefreshAfter(error, endpoint)) {
          refreshed = true;
          // Another request already refreshed the session since this one left: just replay.
          if (generation !== this.sessionGeneration || (await this.refreshSession())) {
            attempt--;
            continue;
          }
        }
        if (attempt >= maxRetries || !shouldRetry(error)) throw error;
        const retryAfterMs = (error as ApiError).retryAfterMs;
        // A server asking for a longer pause than the caller accepts: give its answer now.
        if (retryAfterMs !== undefined && retryAfterMs > (this.options.maxRetryAfterMs ?? 60_000)) throw error;
        await sleep(this.backoff(attempt, retryAfterMs), options.signal);
      }
    }
  }

  /** Exponential backoff with full jitter, or exactly the server's Retry-After when it gives one. */
  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const max = this.options.retryMaxDelayMs ?? 10_000;
    const base = this.options.retryBaseDelayMs ?? 200;
    return Math.random() * Math.min(max, base * 2 ** attempt);
  }

  private authHeaders(): Record<string, string> {
    return this.authMode === 'bearer' && this.tokens?.accessToken ? { authorization: `Bearer ${this.tokens.accessToken}` } : {};
  }

  private canRefresh(): boolean {
    return this.authMode === 'cookie' || Boolean(this.tokens?.refreshToken);
  }

  private mayRefreshAfter(error: unknown, endpoint: string): boolean {
    return (
      error instanceof ApiError &&
      error.status === 401 &&
      !NO_REFRESH_CODES.has(error.code) &&
      !NO_REFRESH_ENDPOINTS.has(endpoint.split('?')[0]!) &&
      this.canRefresh()
    );
  }

  /** One refresh shared by every request that met a 401 meanwhile. */
  refreshSession(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        const body = this.authMode === 'bearer' ? { refreshToken: this.tokens?.refreshToken } : undefined;
        // Never retried: a refresh token works once, so a repeat after a lost answer would look like theft.
        const { data } = await this.attempt<{ data: SessionTokens }>('POST', `${this.baseUrl}${REFRESH_ENDPOINT}`, REFRESH_ENDPOINT, body, {}, undefined);
        if (this.authMode === 'bearer') {
          this.setTokens({
            accessToken: data.data.accessToken,
            ...(data.data.refreshToken ? { refreshToken: data.data.refreshToken } : {}),
            ...(data.data.expiresAt ? { expiresAt: data.data.expiresAt } : {}),
          });
        }
        this.sessionGeneration++;
        return true;
      } catch (error) {
        // Only a refusal ends the session; a network failure leaves it for a later try.
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          this.clearSession();
          this.options.onSessionExpired?.();
        }
        return false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async attempt<T>(
    method: HttpMethod,
    url: string,
    endpoint: string,
    data: unknown,
    options: RequestOptions,
    idempotencyKey: string | undefined,
  ): Promise<{ data: T; headers: Record<string, string>; status: number }> {
    const cached = method === 'GET' ? this.etagCache.get(url) : undefined;
    let context: RequestContext = {
      method,
      url,
      headers: {
        accept: 'application/json',
        ...this.authHeaders(),
        ...(data !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        ...(cached ? { 'if-none-match': cached.etag } : {}),
        ...options.headers,
      },
      body: data === undefined ? undefined : JSON.stringify(data),
    };
    for (const interceptor of this.interceptors.request) context = await interceptor(context);

    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(context.url, {
        method: context.method,
        headers: context.headers,
        body: context.body,
        signal,
        credentials: this.authMode === 'cookie' ? 'include' : 'same-origin',
      });
    } catch (error) {
      if (options.signal?.aborted) throw aborted(error);
      if (timeout.aborted) throw new ApiError({ status: 0, code: 'TIMEOUT', message: `No answer within ${timeoutMs} ms`, cause: error });
      throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'Could not reach the server', cause: error });
    }
    for (const interceptor of this.interceptors.response) response = await interceptor(response, context);

    const headers = headersToRecord(response.headers);
    if (response.status === 304 && cached) return { data: cached.data as T, headers, status: 304 };
    if (!response.ok) throw await this.toError(response, data);

    let body: unknown;
    if (options.responseType === 'blob') body = await response.blob();
    else if (options.responseType === 'text') body = await response.text();
    else {
      const text = await response.text();
      body = text && (headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text;
    }
    if (method === 'GET' && headers.etag && options.responseType !== 'blob') {
      this.etagCache.set(url, { etag: headers.etag, data: body });
    } else if (method !== 'GET') {
      // A write may change what any cached GET of the same resource says.
      this.invalidate(endpoint);
    }
    return { data: body as T, headers, status: response.status };
  }

  /** Drops cached GET responses of a path and of everything beneath it. */
  invalidate(endpoint: string): void {
    const path = endpoint.split('?')[0]!;
    for (const url of this.etagCache.keys()) {
      const cachedPath = url.slice(this.baseUrl.length).split('?')[0]!;
      if (cachedPath.startsWith(path) || path.startsWith(cachedPath)) this.etagCache.delete(url);
    }
  }

  private async toError(response: Response, attempted: unknown): Promise<ApiError> {
    let body: Partial<ErrorResponse> & { current?: unknown } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // not JSON: keep the status alone
    }
    const init: ApiErrorInit = {
      status: response.status,
      message: body.error ?? response.statusText ?? `HTTP ${response.status}`,
      code: body.code ?? (response.status === 412 ? 'PRECONDITION_FAILED' : `HTTP_${response.status}`),
      ...(body.details ? { details: body.details } : {}),
      requestId: body.requestId ?? response.headers.get('x-request-id') ?? undefined,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      body,
    };
    return response.status === 412 ? new ConflictError(init, body.current, attempted) : new ApiError(init);
  }

  /** Browser: XMLHttpRequest, whose upload events follow the bytes sent. Response interceptors are not run (there is no Response). */
  private uploadWithXhr<T>(
    context: RequestContext,
    file: Blob,
    fieldName: string,
    fileName: string,
    options: { fields?: Record<string, string>; signal?: AbortSignal },
    onProgress?: (progress: number) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const form = new FormData();
      for (const [key, value] of Object.entries(options.fields ?? {})) form.append(key, value);
      form.append(fieldName, file, fileName);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', context.url);
      xhr.withCredentials = this.authMode === 'cookie';
      for (const [key, value] of Object.entries(context.headers)) xhr.setRequestHeader(key, value);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress?.(Math.min(1, event.loaded / event.total));
      };
      xhr.onerror = () => reject(new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'Could not reach the server' }));
      xhr.onabort = () => reject(new ApiError({ status: 0, code: 'ABORTED', message: 'The upload was cancelled' }));
      xhr.onload = () => {
        let body: Partial<ErrorResponse> = {};
        try {
          body = JSON.parse(xhr.responseText) as typeof body;
        } catch {
          // not JSON
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress?.(1);
          resolve(body as T);
        } else {
          reject(
            new ApiError({
              status: xhr.status,
              message: body.error ?? `HTTP ${xhr.status}`,
              code: body.code ?? `HTTP_${xhr.status}`,
              ...(body.details ? { details: body.details } : {}),
              ...(body.requestId ? { requestId: body.requestId } : {}),
            }),
          );
        }
      };
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(form);
    });
  }

  /** Node: a multipart body streamed chunk by chunk, so progress follows the bytes handed to the socket. */
  private async uploadWithStream<T>(
    context: RequestContext,
    file: Blob,
    fieldName: string,
    fileName: string,
    options: { fields?: Record<string, string>; signal?: AbortSignal },
    onProgress?: (progress: number) => void,
  ): Promise<T> {
    const boundary = `----skilled${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
    const encoder = new TextEncoder();
    const quote = (value: string) => value.replace(/"/g, '%22').replace(/\r|\n/g, ' ');
    let preamble = '';
    for (const [key, value] of Object.entries(options.fields ?? {})) {
      preamble += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(key)}"\r\n\r\n${value}\r\n`;
    }
    preamble +=
      `--${boundary}\r\nContent-Disposition: form-data; name="${quote(fieldName)}"; filename="${quote(fileName)}"\r\n` +
      `Content-Type: ${file.type || 'application/octet-stream'}\r\n\r\n`;
    const head = encoder.encode(preamble);
    const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
    const total = head.byteLength + file.size + tail.byteLength;
    let sent = 0;
    const reader = file.stream().getReader();
    let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
    const report = (bytes: number) => {
      sent += bytes;
      onProgress?.(Math.min(1, sent / total));
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (stage === 'head') {
          stage = 'file';
          controller.enqueue(head);
          report(head.byteLength);
          return;
        }
        if (stage === 'file') {
          const { done, value } = await reader.read();
          if (!done) {
            controller.enqueue(value);
            report(value.byteLength);
            return;
          }
          stage = 'tail';
        }
        if (stage === 'tail') {
          stage = 'done';
          controller.enqueue(tail);
          report(tail.byteLength);
          return;
        }
        controller.close();
      },
    });
    let response: Response;
    try {
      response = await this.fetchImpl(context.url, {
        method: 'POST',
        headers: { ...context.headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total) },
        body,
        signal: options.signal ?? null,
        credentials: this.authMode === 'cookie' ? 'include' : 'same-origin',
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
    } catch (error) {
      throw new ApiError({ status: 0, code: options.signal?.aborted ? 'ABORTED' : 'NETWORK_ERROR', message: 'The upload failed', cause: error });
    }
    for (const interceptor of this.interceptors.response) response = await interceptor(response, context);
    if (!response.ok) throw await this.toError(response, undefined);
    return (await response.json()) as T;
  }
}

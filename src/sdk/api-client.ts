// The one HTTP client every front end and script uses: authentication with a shared refresh,
// interceptors, timeouts, retries that are safe to repeat, ETag caching, request sharing, uploads
// with progress, downloads and batches. Runs in browsers and in Node 20 with no polyfills.
import type { AuthTokens, MfaChallenge, MfaVerifyBody, SignInOrChallengeResponse } from '../contract/auth.js';
import type { ErrorResponse } from '../contract/errors.js';
import { ApiError, type ApiErrorInit, ConflictError, MfaRequiredError, shouldRetry } from './errors.js';

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

/** What `login` gives: the session, or the challenge of an account with a second factor. */
export type SignInResult = ({ mfaRequired: false } & AuthTokens) | MfaChallenge;

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
const NO_REFRESH_ENDPOINTS = new Set([
  '/api/auth/signin',
  '/api/auth/login',
  '/api/auth/login/mfa',
  '/api/auth/login/mfa/send',
  '/api/auth/signup',
  '/api/users/register',
  REFRESH_ENDPOINT,
  '/api/auth/signout',
  '/api/auth/password/forgot',
  '/api/auth/password/reset',
]);
const NO_REFRESH_CODES = new Set(['INVALID_CREDENTIALS', 'INVALID_REFRESH_TOKEN', 'INVALID_API_KEY', 'INVALID_MFA_CODE', 'MFA_CHALLENGE_INVALID']);
/** Cookie mode: the session's CSRF token, learnt from responses and sent with every request. */
const CSRF_HEADER = 'x-csrf-token';
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

/** When an access token expires: the JWT's `exp` (what the server checks), else `expiresAt`; undefined when neither says. */
function tokenExpiry(tokens: SessionTokens): number | undefined {
  try {
    const payload = tokens.accessToken.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/');
    const exp: unknown = payload ? (JSON.parse(atob(payload)) as { exp?: unknown }).exp : undefined;
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // not a JWT: fall back on what the server said
  }
  const stated = tokens.expiresAt ? Date.parse(tokens.expiresAt) : Number.NaN;
  return Number.isNaN(stated) ? undefined : stated;
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
  /** The ETag a successful write answered with, by URL: the version to send with the next edit. */
  private readonly writtenEtags = new Map<string, string>();
  private readonly sessionEndListeners = new Set<() => void>();
  private csrfToken: string | undefined;

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
    this.writtenEtags.clear();
    this.inFlight.clear();
    this.csrfToken = undefined;
  }

  /**
   * Signs in. In bearer mode the tokens are kept (and handed to `onTokens`); in cookie mode the
   * server's HTTP-only cookies carry the session and the client keeps no token.
   */
  async signIn(email: string, password: string, options: RequestOptions = {}): Promise<AuthTokens> {
    const result = await this.signInAt('/api/auth/signin', email, password, options);
    if (result.mfaRequired) throw new MfaRequiredError(result);
    return result;
  }

  /**
   * Signs in, and says so when the account needs a second factor: `{ mfaRequired: true, challengeId,
   * methods }`, to finish with `verifyMfaSignIn`; otherwise the session, as `signIn` gives it.
   */
  login(email: string, password: string, options: RequestOptions = {}): Promise<SignInResult> {
    return this.signInAt('/api/auth/login', email, password, options);
  }

  /** The second step of a sign-in: a code of one of the challenge's methods; starts the session as `signIn` does. */
  async verifyMfaSignIn(body: MfaVerifyBody, options: RequestOptions = {}): Promise<AuthTokens> {
    const { data } = await this.request<{ data: AuthTokens }>('POST', '/api/auth/login/mfa', body, { idempotencyKey: false, ...options });
    return this.startSession(data);
  }

  private async signInAt(endpoint: string, email: string, password: string, options: RequestOptions): Promise<SignInResult> {
    const answer = await this.request<SignInOrChallengeResponse>('POST', endpoint, { email, password }, { idempotencyKey: false, ...options });
    if ('mfaRequired' in answer) return answer;
    return { mfaRequired: false, ...this.startSession(answer.data) };
  }

  private startSession(data: AuthTokens): AuthTokens {
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

  /**
   * The ETag last seen for this endpoint, from a GET or from the answer to an edit of it, to send back
   * in `If-Match` (`ifMatch`) with the next edit.
   */
  etagFor(endpoint: string, params?: QueryParams): string | undefined {
    const url = `${this.baseUrl}${endpoint}${buildQuery(params)}`;
    return this.etagCache.get(url)?.etag ?? this.writtenEtags.get(url);
  }

  /** Where and how this client reaches the API, for companions such as the RealtimeClient. */
  connectionInfo(): { baseUrl: string; authMode: 'cookie' | 'bearer' } {
    return { baseUrl: this.baseUrl, authMode: this.authMode };
  }

  /**
   * An access token for a connection that authenticates once, such as the WebSocket: the session is
   * refreshed first when the token expires within `minValidityMs` (default 2 s). Undefined in cookie
   * mode (the cookie authenticates) and when there is no session. Fails with NETWORK_ERROR when the
   * token has expired and the server could not be reached to refresh it.
   */
  async freshAccessToken(minValidityMs = 2_000): Promise<string | undefined> {
    if (this.authMode !== 'bearer' || !this.tokens) return undefined;
    const expiresWithin = (ms: number) => {
      const expiresAt = this.tokens ? tokenExpiry(this.tokens) : undefined;
      return expiresAt !== undefined && expiresAt - Date.now() < ms;
    };
    if (expiresWithin(minValidityMs) && this.canRefresh()) {
      await this.refreshSession();
      if (this.tokens && expiresWithin(0)) {
        throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'The session could not be refreshed: the server was not reached' });
      }
    }
    return this.tokens?.accessToken;
  }

  /** Calls `listener` when the session ends for good (the server refused a refresh). Returns the way to stop listening. */
  onSessionEnd(listener: () => void): () => void {
    this.sessionEndListeners.add(listener);
    return () => this.sessionEndListeners.delete(listener);
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
    let csrfRetried = false;

    for (let attempt = 0; ; attempt++) {
      const generation = this.sessionGeneration;
      const csrfSent = this.csrfToken;
      try {
        return await this.attempt<T>(method, url, endpoint, data, options, idempotencyKey);
      } catch (error) {
        // Cookie mode without the session's CSRF token yet (a reloaded page): the refusal carries it.
        if (!csrfRetried && error instanceof ApiError && error.code === 'CSRF_FAILED' && this.csrfToken !== csrfSent) {
          csrfRetried = true;
          attempt--;
          continue;
        }
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
    if (this.authMode === 'cookie') return this.csrfToken ? { [CSRF_HEADER]: this.csrfToken } : {};
    return this.tokens?.accessToken ? { authorization: `Bearer ${this.tokens.accessToken}` } : {};
  }

  private learnCsrfToken(value: string | null): void {
    if (value && this.authMode === 'cookie') this.csrfToken = value;
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
          for (const listener of [...this.sessionEndListeners]) listener();
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
    this.learnCsrfToken(response.headers.get(CSRF_HEADER));

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
      if (headers.etag) this.writtenEtags.set(url, headers.etag);
    }
    return { data: body as T, headers, status: response.status };
  }

  /** Drops cached GET responses of a path and of everything beneath it. */
  invalidate(endpoint: string): void {
    const path = endpoint.split('?')[0]!;
    for (const cache of [this.etagCache, this.writtenEtags]) {
      for (const url of cache.keys()) {
        const cachedPath = url.slice(this.baseUrl.length).split('?')[0]!;
        if (cachedPath.startsWith(path) || path.startsWith(cachedPath)) cache.delete(url);
      }
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
    return response.status === 412
      ? new ConflictError(init, body.current, attempted, response.headers.get('etag') ?? undefined)
      : new ApiError(init);
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
        this.learnCsrfToken(xhr.getResponseHeader(CSRF_HEADER));
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
    this.learnCsrfToken(response.headers.get(CSRF_HEADER));
    if (!response.ok) throw await this.toError(response, undefined);
    return (await response.json()) as T;
  }
}

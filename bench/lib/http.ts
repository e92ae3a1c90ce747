// Small JSON-over-HTTP helpers for the bench's setup steps (sign-in, enrolment, probes).
import { BENCH_PASSWORD } from './dataset.js';

export interface JsonResponse<T> {
  status: number;
  body: T;
  headers: Headers;
  bytes: Buffer;
}

export async function requestJson<T = unknown>(
  url: string,
  options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers, bytes };
}

export interface SignedIn {
  userId: string;
  token: string;
  email: string;
}

export async function signIn(baseUrl: string, email: string, password = BENCH_PASSWORD): Promise<SignedIn> {
  const response = await requestJson<{ data: { accessToken: string; user: { id: string } } }>(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    body: { email, password },
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email} failed: ${response.status} ${response.bytes.toString().slice(0, 300)}`);
  return { userId: response.body.data.user.id, token: response.body.data.accessToken, email };
}

/** Signs in many users, a few at a time (each sign-in is one argon2 verification). */
export async function signInMany(baseUrl: string, emails: readonly string[], concurrency = 4): Promise<SignedIn[]> {
  const result: SignedIn[] = new Array(emails.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < emails.length) {
        const index = next++;
        result[index] = await signIn(baseUrl, emails[index]!);
      }
    }),
  );
  return result;
}

// A platform of the account-security tests' own: its mail goes to an SMTP server on loopback and its
// text messages to an SMS provider on loopback, so tests read codes and links as a user would.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { ApiResponse, TestUser } from './api.js';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from './communication.js';
import { type Client, clientAt, type OwnServer, registerOn, startServer } from './security.js';

export const SMS_TOKEN = 'sms-provider-test-token';

export interface ReceivedSms {
  to: string;
  message: string;
}

export interface TestSmsProvider {
  url: string;
  received: ReceivedSms[];
  /** Requests refused for a wrong or missing bearer token. */
  unauthorised: number;
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedSms>;
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });

/** An SMS provider's HTTP API: a JSON POST `{ to, message }` with a bearer token. */
export async function startSmsProvider(): Promise<TestSmsProvider> {
  const received: ReceivedSms[] = [];
  const provider: TestSmsProvider = {
    url: '',
    received,
    unauthorised: 0,
    async waitFor(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = [...received].reverse().find((sms) => sms.to === to);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no SMS to ${to} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      if (request.headers.authorization !== `Bearer ${SMS_TOKEN}`) {
        provider.unauthorised++;
        response.writeHead(401).end();
        return;
      }
      const { to, message } = JSON.parse(body) as ReceivedSms;
      received.push({ to, message });
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  return provider;
}

export interface SecurityPlatform {
  server: OwnServer;
  smtp: TestSmtpServer;
  sms: TestSmsProvider;
  /** A client at an address of its own (X-Forwarded-For, trusted by this server). */
  client(ip?: string): Client;
  /** Registers and signs in a user; their verification mail is in `smtp`. */
  user(client?: Client): Promise<TestUser & { client: Client }>;
  close(): Promise<void>;
}

export async function startSecurityPlatform(env: Record<string, string> = {}): Promise<SecurityPlatform> {
  const smtp = await startSmtpServer();
  const sms = await startSmsProvider();
  const server = await startServer({
    SMTP_URL: smtp.url,
    SMS_PROVIDER_URL: sms.url,
    SMS_PROVIDER_TOKEN: SMS_TOKEN,
    PUBLIC_URL: 'https://skilled.example',
    // These tests are about the account, not about request limits.
    RATE_LIMIT_AUTH_MAX: '100000',
    RATE_LIMIT_IP_MAX: '100000',
    RATE_LIMIT_USER_MAX: '100000',
    ...env,
  });
  const client = (ip?: string) => clientAt(server.url, ip);
  return {
    server,
    smtp,
    sms,
    client,
    async user(at = client()) {
      return { ...(await registerOn(at)), client: at };
    },
    async close() {
      await server.close();
      await smtp.close();
      await sms.close();
    },
  };
}

/** The 6-digit code of a mail or SMS. */
export function codeIn(text: string): string {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in: ${text}`);
  return code;
}

/** The `token` of the first link of a mail. */
export function linkTokenIn(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+\?token=([\w%-]+)/.exec(mail.text)?.[1];
  if (!link) throw new Error(`no link in: ${mail.text}`);
  return decodeURIComponent(link);
}

export const mailTo = (smtp: TestSmtpServer, address: string, subject: RegExp) =>
  smtp.waitFor((mail) => mail.to.includes(address.toLowerCase()) && subject.test(mail.subject));

/** Makes the codes mailed or texted to the user look older than the minute between resends. */
export const ageSentCodes = (platform: SecurityPlatform, userId: string) =>
  platform.server.database.db.execute(
    sql`update verification_codes set created_at = created_at - interval '61 seconds' where user_id = ${userId}`,
  );

/** A phone number of the reserved 555 range, different for each caller. */
export const testPhoneNumber = () => `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

/** The TOTP code of the current 30-second step, shifted by `steps`. */
export const totpCode = (secret: string, steps = 0): string =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

/**
 * Waits, when the current step ends within 5 seconds, for the next one: a test that uses the
 * neighbouring steps' codes must not see the step change under it.
 */
export async function awayFromStepBoundary(): Promise<void> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 25_000) await new Promise((resolve) => setTimeout(resolve, 30_000 - intoStep + 200));
}

export function expectError(response: ApiResponse, status: number, code: string) {
  expect({ status: response.status, code: response.body?.code }, JSON.stringify(response.body)).toEqual({ status, code });
}

/** Enrols and confirms an authenticator app (with the previous step's code, leaving the current one unused). */
export async function enableTotp(user: TestUser & { client: Client }) {
  const enrolled = await user.client.call('POST', '/api/auth/mfa/totp/enroll', { token: user.token, body: { currentPassword: user.password } });
  expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
  const secret = enrolled.body.data.secret as string;
  await awayFromStepBoundary();
  const confirmed = await user.client.call('POST', '/api/auth/mfa/totp/confirm', { token: user.token, body: { code: totpCode(secret, -1) } });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return { secret, recoveryCodes: confirmed.body.data.recoveryCodes as string[], enrolment: enrolled.body.data };
}

/** Signs in with the password; for an account with a second factor the answer is the challenge. */
export const passwordStep = (user: TestUser & { client: Client }) =>
  user.client.call('POST', '/api/auth/login', { body: { email: user.email, password: user.password } });

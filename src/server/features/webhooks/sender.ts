// One HTTP POST of a delivery: a deadline for the whole exchange, the start of the answer kept for the log,
// redirects not followed (a 3xx is a failure), and in production only public addresses (url-policy.ts).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isPublicAddress, literalAddress, PRIVATE_TARGET, publicOnlyLookup } from './url-policy.js';

/** The most of an answer's body the log keeps, in characters. */
export const RESPONSE_BODY_LIMIT = 1024;
/** The most read of an answer's body, in bytes; the rest is not waited for. */
const READ_LIMIT = RESPONSE_BODY_LIMIT * 4;

export interface OutgoingRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  publicOnly: boolean;
  /** Aborts the request (shutdown). */
  signal?: AbortSignal;
}

export interface SendOutcome {
  /** The answer's status, or null when none came. */
  status: number | null;
  responseBody: string | null;
  /** Why there was no answer. */
  error: string | null;
  durationMs: number;
  /** Cut short by the signal: not the receiver's fault. */
  aborted: boolean;
}

export const isSuccess = (outcome: SendOutcome): boolean => outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

const printable = (bytes: Buffer): string =>
  // PostgreSQL text cannot hold NUL characters.
  new TextDecoder('utf-8').decode(bytes).replaceAll('\u0000', '').slice(0, RESPONSE_BODY_LIMIT);

function describeError(error: NodeJS.ErrnoException, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no answer within ${timeoutMs / 1000} s`;
  return error.message || error.code || 'the request failed';
}

export async function sendDelivery(request: OutgoingRequest): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const literal = literalAddress(request.url);
  if (request.publicOnly && literal && !isPublicAddress(literal)) {
    return { status: null, responseBody: null, error: `the URL ${PRIVATE_TARGET}`, durationMs: elapsed(), aborted: false };
  }
  const target = new URL(request.url);
  const open = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    const outgoing = open(target, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      agent: false,
      ...(request.publicOnly ? { lookup: publicOnlyLookup } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(new Error('timeout'));
    }, request.timeoutMs);
    let settled = false;
    const finish = (outcome: Omit<SendOutcome, 'durationMs' | 'aborted'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed(), aborted: request.signal?.aborted ?? false });
    };

    // Once the status is in, it decides: an answer cut short (deadline, reset) still counts as that answer.
    let status: number | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    const answered = () => finish({ status, responseBody: printable(Buffer.concat(chunks)), error: null });
    outgoing.on('response', (response: IncomingMessage) => {
      status = response.statusCode ?? null;
      response.on('data', (chunk: Buffer) => {
        if (size >= READ_LIMIT) return;
        chunks.push(chunk);
        size += chunk.length;
        // Enough for the log: the rest is not waited for.
        if (size >= READ_LIMIT) {
          answered();
          response.destroy();
        }
      });
      response.on('end', answered);
      response.on('close', answered);
      response.on('error', answered);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (status !== null) return answered();
      finish({ status: null, responseBody: null, error: describeError(error, request.timeoutMs, timedOut) });
    });
    outgoing.end(request.body);
  });
}

// Idempotency-Key on POST, PUT, PATCH and DELETE: the first response is stored per user and key for
// 24 hours and replayed for a repeat with the same request. The same key with another request is
// refused (422); a repeat while the first is still running is refused (409). Stored in the database,
// so it holds across instances and restarts. Keys are honoured for signed-in callers only: an
// anonymous key could replay someone else's response.
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError, RetryLaterError } from './errors.js';

/** A repeat that finds the first request still running is told to come back after this long. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

const RETENTION_MS = 24 * 60 * 60 * 1000;
const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the answer carries secrets shown once (tokens, recovery codes), so it is never stored for replay. */
    idempotency?: boolean;
  }
  interface FastifyRequest {
    /** The idempotency row this request claimed, whose response it must record. */
    idempotencyRowId?: string;
    idempotentReplay?: boolean;
  }
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

export function registerIdempotency(app: FastifyInstance, db: Database): void {
  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    if (header === undefined || !MUTATIONS.has(request.method) || !request.user) return;
    if (request.routeOptions.config.idempotency === false) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !VALID_KEY.test(key)) {
      throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const userId = request.user.id;
    const hash = requestHash(request);
    const now = new Date();
    await db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), lt(idempotencyKeys.expiresAt, now)));
    const [claimed] = await db
      .insert(idempotencyKeys)
      .values({ userId, key, requestHash: hash, expiresAt: new Date(now.getTime() + RETENTION_MS) })
      .onConflictDoNothing()
      .returning({ id: idempotencyKeys.id });
    if (claimed) {
      request.idempotencyRowId = claimed.id;
      return;
    }
    const [existing] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)))
      .limit(1);
    if (!existing) throw new RetryLaterError('IDEMPOTENCY_KEY_IN_USE', 'This Idempotency-Key is being processed; retry shortly', IN_PROGRESS_RETRY_AFTER_SECONDS);
    if (existing.requestHash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_MISMATCH', 'This Idempotency-Key was already used for a different request');
    }
    if (existing.status !== 'completed' || existing.responseStatus === null) {
      throw new RetryLaterError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still in progress', IN_PROGRESS_RETRY_AFTER_SECONDS);
    }
    request.idempotentReplay = true;
    return reply
      .status(existing.responseStatus)
      .header('idempotent-replayed', 'true')
      .type(existing.responseContentType ?? 'application/json; charset=utf-8')
      .send(existing.responseBody ?? '');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const rowId = request.idempotencyRowId;
    if (!rowId || request.idempotentReplay) return payload;
    request.idempotencyRowId = undefined;
    if (reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      // A failure that may be transient: let the client retry with the same key.
      await db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, rowId));
      return payload;
    }
    await db
      .update(idempotencyKeys)
      .set({
        status: 'completed',
        responseStatus: reply.statusCode,
        responseBody: payload.toString(),
        responseContentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
      })
      .where(eq(idempotencyKeys.id, rowId));
    return payload;
  });
}

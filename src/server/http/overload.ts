// Load shedding: when the event loop lags or memory climbs past its bound (OVERLOAD_* settings), new
// requests are answered at once with 503 OVERLOADED and Retry-After instead of queueing until the
// process collapses. Liveness, readiness and metrics stay answerable, so that an orchestrator can tell
// a busy instance from a dead one.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { OverloadSettings } from '../config.js';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered even while the instance sheds load. */
    overloadExempt?: boolean;
  }
}

/** Route config of the routes that must answer under load. */
export const OVERLOAD_EXEMPT = { overloadExempt: true } as const;

/** At most one warning per this interval while shedding, however many requests are refused. */
const WARN_INTERVAL_MS = 10_000;

const describe: Record<string, (value: number | undefined) => string> = {
  eventLoopDelay: (value) => `event loop delay ${Math.round(value ?? 0)} ms`,
  heapUsedBytes: (value) => `heap used ${Math.round((value ?? 0) / 1048576)} MB`,
  rssBytes: (value) => `resident memory ${Math.round((value ?? 0) / 1048576)} MB`,
};

export async function registerOverloadProtection(app: FastifyInstance, settings: OverloadSettings): Promise<void> {
  let lastWarning = 0;
  await app.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    maxHeapUsedBytes: settings.maxHeapUsedBytes,
    maxRssBytes: settings.maxRssBytes,
    retryAfter: settings.retryAfterSeconds,
    // Resolving lets the request through; rejecting hands the error to the one error handler.
    pressureHandler: async (request, reply, type, value) => {
      if (request.routeOptions.config.overloadExempt) return;
      if (Date.now() - lastWarning > WARN_INTERVAL_MS) {
        lastWarning = Date.now();
        request.log.warn({ type, value }, 'overloaded: refusing new requests with 503 until it passes');
      }
      const cause = describe[type]?.(value) ?? type;
      reply.header('retry-after', String(settings.retryAfterSeconds));
      throw new AppError('OVERLOADED', `The server is overloaded (${cause}); try again shortly`);
    },
  });
}

// Readiness: can this instance serve requests now? The database must answer, and Redis too when it is
// configured. Each check is bounded in time, so that a load balancer's probe gets its answer quickly
// even while a dependency hangs.
import type { FastifyInstance } from 'fastify';
import type { ReadyResponse } from '../../contract/system.js';
import type { DatabaseHandle } from '../db/client.js';

/** The longest a readiness check waits for a dependency to answer. */
export const READY_CHECK_TIMEOUT_MS = 2_000;

type CheckResult = 'ok' | 'failing';

async function probe(check: () => Promise<void>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), READY_CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'failing';
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(
  app: FastifyInstance,
  database: DatabaseHandle,
  redisConfigured: boolean,
): Promise<ReadyResponse> {
  const [databaseCheck, redisCheck] = await Promise.all([
    probe(() => database.ping()),
    redisConfigured ? probe(() => app.realtime.pingBus()) : Promise.resolve(undefined),
  ]);
  const checks: ReadyResponse['checks'] = { database: databaseCheck };
  if (redisCheck) checks.redis = redisCheck;
  const ready = Object.values(checks).every((result) => result === 'ok');
  return { status: ready ? 'ready' : 'unavailable', checks };
}

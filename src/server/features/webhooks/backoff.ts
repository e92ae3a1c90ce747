// The retry schedule: exponential backoff with jitter, inside a window that starts at the first attempt.
import type { WebhookSettings } from '../../config.js';

export type RetrySchedule = Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxDelayMs' | 'retryWindowMs'>;

/** Jitter: each delay is 80 % to 120 % of the nominal one, so deliveries that failed together spread out. */
export const JITTER = 0.2;

/** The delay after the `failedAttempts`-th failed attempt: base, 2 × base, 4 × base, ... up to the cap. */
export function retryDelayMs(failedAttempts: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const nominal = Math.min(schedule.retryBaseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40), schedule.retryMaxDelayMs);
  return Math.round(nominal * (1 - JITTER + random() * 2 * JITTER));
}

/** When to try again after a failed attempt, or null when that would fall outside the retry window. */
export function nextAttemptAt(
  failedAttempts: number,
  firstAttemptAt: Date,
  now: Date,
  schedule: RetrySchedule,
  random: () => number = Math.random,
): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(failedAttempts, schedule, random));
  return next.getTime() - firstAttemptAt.getTime() > schedule.retryWindowMs ? null : next;
}

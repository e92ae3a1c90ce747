// The communication feature's background work on each instance: writing queued notifications (as soon
// as a transaction of this instance queued some, and every MAIL_POLL_SECONDS for the others' and the
// retries), sending queued mail (often), and the daily digest and the instructor alerts (every
// NOTIFICATION_JOBS_SECONDS). Each is safe to run on every instance at once (see notification-queue.ts,
// outbox.ts, digest.ts, alerts.ts); a run never overlaps the previous one of its kind on the same
// instance (one asked for meanwhile runs right after it), and a stop waits for the runs in progress.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { queueStudentAlerts } from './alerts.js';
import { queueDigests } from './digest.js';
import type { Mailer } from './mailer.js';
import { onNotificationsQueued, writeQueuedNotifications } from './notification-queue.js';
import { deliverDueMail } from './outbox.js';

export interface CommunicationJobs {
  stop(): Promise<void>;
}

export interface JobsDeps {
  db: Database;
  mailer: Mailer;
  log: FastifyBaseLogger;
  config: Pick<Config, 'publicUrl' | 'notifications'>;
}

export function startCommunicationJobs({ db, mailer, log, config }: JobsDeps): CommunicationJobs {
  const settings = config.notifications;
  const running = new Set<Promise<unknown>>();
  let stopped = false;

  /** Runs `task`, or once more right after the run of the same kind still going: work may have come since it looked. */
  const serial = (name: string, task: () => Promise<unknown>) => {
    let current: Promise<unknown> | null = null;
    let again = false;
    const start = () => {
      if (stopped) return;
      if (current) {
        again = true;
        return;
      }
      current = task()
        .catch((error: unknown) => log.error({ err: error, job: name }, 'notification job failed; it runs again at the next interval'))
        .finally(() => {
          running.delete(current!);
          current = null;
          if (again) {
            again = false;
            start();
          }
        });
      running.add(current);
    };
    return start;
  };

  const sendMail = serial('mail', () => deliverDueMail({ db, mailer, log, publicUrl: config.publicUrl }));
  const writeNotifications = serial('queued-notifications', async () => {
    const { written, pages, more } = await writeQueuedNotifications(db, log);
    if (more) writeNotifications();
    if (written + pages > 0) sendMail();
  });
  const periodic = serial('digest-and-alerts', async () => {
    const digests = await queueDigests(db, { hourUtc: settings.digestHourUtc });
    const alerts = await queueStudentAlerts(db);
    if (digests.queued > 0 || alerts.created > 0) log.info({ digests: digests.queued, alerts: alerts.created }, 'notifications queued');
    sendMail();
  });

  const stopListening = onNotificationsQueued(db, writeNotifications);
  const timers = [
    setInterval(writeNotifications, settings.mailPollMs),
    setInterval(sendMail, settings.mailPollMs),
    setInterval(periodic, settings.jobsIntervalMs),
  ];
  for (const timer of timers) timer.unref();

  return {
    async stop() {
      stopped = true;
      stopListening();
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}

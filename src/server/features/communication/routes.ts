// The communication feature: announcements, direct messages, notifications and their preferences, and the
// background work that mails notifications, sends digests and raises instructor alerts.
import type { Feature } from '../../http/feature.js';
import announcementRoutes from './announcement-routes.js';
import { startCommunicationJobs } from './jobs.js';
import messageRoutes from './message-routes.js';
import notificationRoutes from './notification-routes.js';

const communicationRoutes: Feature = async (app, { deps }) => {
  await app.register(announcementRoutes, { deps });
  await app.register(messageRoutes, { deps });
  await app.register(notificationRoutes, { deps });

  const jobs = startCommunicationJobs({
    db: deps.database.db,
    mailer: deps.mailer,
    log: app.log.child({ component: 'notifications' }),
    config: deps.config,
  });
  // Before the database closes: a run in progress finishes first.
  app.addHook('onClose', () => jobs.stop());
};

export default communicationRoutes;

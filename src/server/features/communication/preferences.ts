// Which notifications a user receives, on which channel (in-app, mail), and whether mail comes one per
// notification or as a daily digest. Stored as the user's choices over defaults, so that a new type
// starts with its default for everyone.
import { and, eq } from 'drizzle-orm';
import {
  type EmailDigest,
  type NotificationPreferences,
  type NotificationType,
  notificationTypes,
  type UpdateNotificationPreferencesBody,
} from '../../../contract/communication.js';
import type { Database, Executor } from '../../db/client.js';
import { type NotificationChannelChoices, notificationPreferences, notifications, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';

export interface Channels {
  inApp: boolean;
  email: boolean;
}

/** What a user gets without choosing. Alerts about students are opt-in for instructors. */
export const defaultChannels: Record<NotificationType, Channels> = {
  assignment_submitted: { inApp: true, email: false },
  assignment_graded: { inApp: true, email: true },
  announcement_posted: { inApp: true, email: true },
  message_received: { inApp: true, email: true },
  achievement_earned: { inApp: true, email: false },
  course_updated: { inApp: true, email: false },
  student_inactive: { inApp: false, email: false },
  assignment_missed: { inApp: false, email: false },
  // Account security notices are always mailed by the account-security feature itself.
  security_alert: { inApp: true, email: false },
};

export function channelsFor(choices: NotificationChannelChoices | null | undefined, type: NotificationType): Channels {
  const chosen = choices?.[type];
  const fallback = defaultChannels[type];
  return { inApp: chosen?.inApp ?? fallback.inApp, email: chosen?.email ?? fallback.email };
}

function present(choices: NotificationChannelChoices, digest: EmailDigest, emailEnabled: boolean): NotificationPreferences {
  const types = Object.fromEntries(notificationTypes.map((type) => [type, channelsFor(choices, type)])) as Record<NotificationType, Channels>;
  return { types, digest, emailEnabled };
}

async function load(db: Executor, userId: string) {
  const [row] = await db
    .select({ emailEnabled: users.notificationPreference, types: notificationPreferences.types, digest: notificationPreferences.digest })
    .from(users)
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) throw new AppError('USER_NOT_FOUND', 'User not found');
  return { emailEnabled: row.emailEnabled, types: row.types ?? {}, digest: row.digest ?? 'off' };
}

export function createPreferencesService({ db }: { db: Database }) {
  return {
    async get(user: AuthUser): Promise<NotificationPreferences> {
      const current = await load(db, user.id);
      return present(current.types, current.digest, current.emailEnabled);
    },

    /** Changes only the types, channels and digest setting sent. */
    async update(user: AuthUser, body: UpdateNotificationPreferencesBody): Promise<NotificationPreferences> {
      return db.transaction(async (tx) => {
        const before = await load(tx, user.id);
        const types: NotificationChannelChoices = { ...before.types };
        for (const [type, channels] of Object.entries(body.types ?? {}) as [NotificationType, Partial<Channels>][]) {
          types[type] = { ...types[type], ...channels };
        }
        const digest = body.digest ?? before.digest;
        await tx
          .insert(notificationPreferences)
          .values({ userId: user.id, types, digest, updatedAt: new Date() })
          .onConflictDoUpdate({ target: notificationPreferences.userId, set: { types, digest, updatedAt: new Date() } });
        if (before.digest === 'daily' && digest === 'off') {
          // What waited for a digest is not mailed later: the user chose no digest.
          await tx
            .update(notifications)
            .set({ digestPending: false })
            .where(and(eq(notifications.userId, user.id), eq(notifications.digestPending, true)));
        }
        const previous = present(before.types, before.digest, before.emailEnabled);
        const next = present(types, digest, before.emailEnabled);
        await recordAudit(tx, user, {
          action: 'notification.preferences',
          targetType: 'user',
          targetId: user.id,
          before: { types: previous.types, digest: previous.digest },
          after: { types: next.types, digest: next.digest },
        });
        return next;
      });
    },
  };
}

// What a client sees of a user row: built here, never the raw row (which holds the password hash).
import type { AdminUserAccount, UserAccount } from '../../../contract/users.js';
import type { users } from '../../db/schema.js';
import { effectiveStreak } from '../analytics/streaks.js';

type UserRow = typeof users.$inferSelect;

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export function presentAccount(user: UserRow): UserAccount {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    role: user.role,
    avatarUrl: user.avatarUrl,
    notificationPreference: user.notificationPreference,
    preferredStudyTime: user.preferredStudyTime,
    weeklyLearningGoal: user.weeklyLearningGoal,
    // the stored streak is stale once a day has been missed
    currentStreak: effectiveStreak(user),
    lastLearned: isoOrNull(user.lastLearned),
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
    emailVerified: user.emailVerifiedAt !== null,
  };
}

/** The account as admins see it in user administration. */
export function presentAdminAccount(user: UserRow): AdminUserAccount {
  return {
    ...presentAccount(user),
    status: user.status,
    suspendedAt: isoOrNull(user.suspendedAt),
    suspensionReason: user.suspensionReason,
  };
}

export function presentSummary(user: Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'username'>) {
  return { id: user.id, firstName: user.firstName, lastName: user.lastName, username: user.username };
}

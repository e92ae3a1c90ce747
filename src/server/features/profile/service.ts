// The caller's profile, password and learning preferences, and username checks. Knows nothing of HTTP.
import { and, eq, ne, sql } from 'drizzle-orm';
import type {
  LearningPreferences,
  ProfileUser,
  UpdatePreferencesBody,
  UpdateProfileBody,
  UsernameAvailability,
} from '../../../contract/profile.js';
import type { Database, Executor } from '../../db/client.js';
import { users } from '../../db/schema.js';
import { assertActingForSelf, type AuthUser } from '../../http/auth.js';
import { AppError, isUniqueViolation } from '../../http/errors.js';
import { changedFields, recordAudit } from '../audit/log.js';
import type { CredentialChanges } from '../auth/credential-changes.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { isSatisfied, nextVersion, type Precondition, StaleVersionError } from '../courses/versioning.js';
import { presentAccount } from '../users/presenter.js';

export interface ProfileServiceDeps {
  db: Database;
  /** Password strength, and what a new password or email entails (sessions, verification, audit, mail). */
  credentials: CredentialChanges;
}

const emailTaken = () => new AppError('EMAIL_TAKEN', 'An account with this email already exists');
const usernameTaken = () => new AppError('USERNAME_TAKEN', 'This username is already taken');
const userNotFound = () => new AppError('USER_NOT_FOUND', 'User not found');

/** Another user (not `exceptId`) holding this email or username, compared case-insensitively. */
async function heldByAnother(tx: Executor, column: typeof users.email | typeof users.username, value: string, exceptId: string) {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${column}) = ${value.toLowerCase()}`, ne(users.id, exceptId)))
    .limit(1);
  return rows.length > 0;
}

/** The constraint behind a unique violation, whichever driver raised it. */
function violatedConstraint(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const constraint = (current as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') return constraint;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

export function createProfileService({ db, credentials }: ProfileServiceDeps) {
  return {
    /**
     * Updates the named fields only (the contract strips anything else, such as role or streaks).
     * A new password or email needs the current password: the caller's own, which for an admin acting
     * for another user re-confirms the admin. It then ends every other session of the user.
     */
    /** A stale `precondition` (If-Match) is refused with the current account. */
    async update(actor: AuthUser, body: UpdateProfileBody, precondition?: Precondition): Promise<ProfileUser> {
      assertActingForSelf(actor, body.userId, 'userId');
      const targetId = body.userId ?? actor.id;
      if (body.newPassword !== undefined && body.currentPassword === undefined) {
        throw new AppError('VALIDATION_ERROR', 'Invalid request: body.currentPassword is required to change the password', {
          'body.currentPassword': 'is required to change the password',
        });
      }

      const { user, afterCommit } = await db.transaction(async (tx) => {
        const [target] = await tx.select().from(users).where(eq(users.id, targetId)).for('update').limit(1);
        if (!target) throw userNotFound();
        if (!isSatisfied(precondition, target.updatedAt)) throw new StaleVersionError(presentAccount(target), 'profile');
        const emailChanges = body.email !== undefined && body.email !== target.email.toLowerCase();
        if (emailChanges && body.currentPassword === undefined) {
          throw new AppError('VALIDATION_ERROR', 'Invalid request: body.currentPassword is required to change the email', {
            'body.currentPassword': 'is required to change the email',
          });
        }

        let passwordHash: string | undefined;
        if (body.newPassword !== undefined || emailChanges) {
          const [confirming] =
            actor.id === target.id
              ? [target]
              : await tx.select().from(users).where(eq(users.id, actor.id)).limit(1);
          if (!confirming || !(await verifyPassword(confirming.passwordHash, body.currentPassword ?? ''))) {
            throw new AppError('WRONG_PASSWORD', 'The current password is incorrect');
          }
        }
        if (body.newPassword !== undefined) {
          await credentials.assertStrongPassword(body.newPassword, { ...target, ...body }, 'body.newPassword');
          passwordHash = await hashPassword(body.newPassword);
        }
        if (body.email !== undefined && (await heldByAnother(tx, users.email, body.email, target.id))) throw emailTaken();
        if (body.username !== undefined && (await heldByAnother(tx, users.username, body.username, target.id))) {
          throw usernameTaken();
        }

        const changes = {
          ...(body.firstName !== undefined && { firstName: body.firstName }),
          ...(body.lastName !== undefined && { lastName: body.lastName }),
          ...(body.email !== undefined && { email: body.email }),
          ...(body.username !== undefined && { username: body.username }),
          ...(body.weeklyLearningGoal !== undefined && { weeklyLearningGoal: body.weeklyLearningGoal }),
          ...(passwordHash !== undefined && { passwordHash }),
        };
        if (Object.keys(changes).length === 0) return { user: target, afterCommit: () => undefined };

        let updated: typeof target | undefined;
        try {
          [updated] = await tx
            .update(users)
            .set({ ...changes, updatedAt: nextVersion(users.updatedAt) })
            .where(eq(users.id, target.id))
            .returning();
        } catch (error) {
          // Lost a race with another account taking the same email or username.
          if (isUniqueViolation(error)) {
            throw violatedConstraint(error).includes('username') ? usernameTaken() : emailTaken();
          }
          throw error;
        }
        // The hash never goes to the log: only the fact that the password changed.
        const { passwordHash: _hash, ...visible } = changes;
        const diff = changedFields(target, visible);
        await recordAudit(tx, actor, {
          action: 'profile.update',
          targetType: 'user',
          targetId: target.id,
          before: diff.before,
          after: passwordHash !== undefined ? { ...diff.after, passwordChanged: true } : diff.after,
        });
        return credentials.apply(tx, actor, updated!, {
          passwordChanged: passwordHash !== undefined,
          emailChange: emailChanges ? { from: target.email, to: updated!.email } : null,
        });
      });
      afterCommit();
      return presentAccount(user);
    },

    /** Also answers the account's new version (`updatedAt`), for its ETag. */
    async updatePreferences(
      actor: AuthUser,
      body: UpdatePreferencesBody,
      precondition?: Precondition,
    ): Promise<LearningPreferences & { updatedAt: Date }> {
      assertActingForSelf(actor, body.userId, 'userId');
      const changes = {
        ...(body.notificationPreference !== undefined && { notificationPreference: body.notificationPreference }),
        ...(body.preferredStudyTime !== undefined && { preferredStudyTime: body.preferredStudyTime }),
        ...(body.weeklyLearningGoal !== undefined && { weeklyLearningGoal: body.weeklyLearningGoal }),
      };
      const columns = {
        id: users.id,
        notificationPreference: users.notificationPreference,
        preferredStudyTime: users.preferredStudyTime,
        weeklyLearningGoal: users.weeklyLearningGoal,
        updatedAt: users.updatedAt,
      };
      return db.transaction(async (tx) => {
        const [before] = await tx.select(columns).from(users).where(eq(users.id, body.userId)).for('update').limit(1);
        if (!before) throw userNotFound();
        if (!isSatisfied(precondition, before.updatedAt)) {
          const [current] = await tx.select().from(users).where(eq(users.id, body.userId)).limit(1);
          throw new StaleVersionError(presentAccount(current!), 'profile');
        }
        if (Object.keys(changes).length === 0) return before;
        const [row] = await tx
          .update(users)
          .set({ ...changes, updatedAt: nextVersion(users.updatedAt) })
          .where(eq(users.id, body.userId))
          .returning(columns);
        await recordAudit(tx, actor, {
          action: 'profile.preferences',
          targetType: 'user',
          targetId: body.userId,
          ...changedFields(before, changes),
        });
        return row!;
      });
    },

    /** Free, or already the viewer's own (so that a profile form can keep it). */
    async usernameAvailability(username: string, viewerId: string | undefined): Promise<UsernameAvailability> {
      const [holder] = await db
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.username}) = ${username.toLowerCase()}`)
        .limit(1);
      return { username, available: !holder || holder.id === viewerId };
    },
  };
}

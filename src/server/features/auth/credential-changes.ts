// What a change of password or email entails, wherever it is made (the profile update): the new
// password must be strong; the user's other sessions end (all of them when an admin made the change);
// a new email is unverified until its code or link comes back; the change is audited and mailed.
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import type { AccountSecurity } from './context.js';
import { createEmailVerification } from './email-verification.js';
import { assertStrongPassword } from './password-strength.js';
import { maskEmail, recordSecurityEvent } from './security-events.js';
import { revokeSessions } from './sessions/store.js';

type UserRow = typeof users.$inferSelect;

export interface CredentialChange {
  passwordChanged: boolean;
  emailChange: { from: string; to: string } | null;
}

export interface CredentialChanges {
  /** Throws WEAK_PASSWORD (details on `field`) for a password that is easy to guess. */
  assertStrongPassword(password: string, user: Pick<UserRow, 'email' | 'username' | 'firstName' | 'lastName'>, field: string): Promise<void>;
  /**
   * In the change's transaction, after the user row was updated. Returns the row as it now is (a new
   * email is unverified) and what to do after the commit.
   */
  apply(tx: Executor, actor: AuthUser, user: UserRow, change: CredentialChange): Promise<{ user: UserRow; afterCommit: () => void }>;
}

export function createCredentialChanges(ctx: AccountSecurity): CredentialChanges {
  const verification = createEmailVerification(ctx);
  return {
    assertStrongPassword(password, user, field) {
      return assertStrongPassword(password, [user.email, user.username, user.firstName, user.lastName], field);
    },

    async apply(tx, actor, user, { passwordChanged, emailChange }) {
      if (!passwordChanged && !emailChange) return { user, afterCommit: () => undefined };
      const bySomeoneElse = actor.id !== user.id;
      const ended = await revokeSessions(tx, user.id, bySomeoneElse ? {} : { exceptFamilyId: actor.sessionId });
      if (passwordChanged) {
        await recordSecurityEvent(tx, actor, 'user.password_change', user.id, { sessionsEnded: ended.length, byAdmin: bySomeoneElse });
      }
      let issued: Awaited<ReturnType<typeof verification.issue>> | undefined;
      if (emailChange) {
        await tx.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, user.id));
        issued = await verification.issue(tx, { id: user.id, email: emailChange.to });
        await recordSecurityEvent(tx, actor, 'user.email_change', user.id, {
          from: emailChange.from,
          to: emailChange.to,
          sessionsEnded: ended.length,
        });
      }
      const afterCommit = () => {
        if (ended.length > 0) ctx.sessionsEnded(user.id);
        if (passwordChanged) void ctx.mail.notice(user, 'password_changed');
        if (emailChange && issued) {
          void ctx.mail.notice(user, 'email_changed', `The new address is ${maskEmail(emailChange.to)}.`, { mailTo: emailChange.from });
          void verification.deliver(emailChange.to, issued);
        }
      };
      return { user: emailChange ? { ...user, emailVerifiedAt: null } : user, afterCommit };
    },
  };
}

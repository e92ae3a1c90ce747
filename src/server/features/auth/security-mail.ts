// Mail about the account itself: codes and links the user asked for (delivered, or the request fails),
// and notices of security changes: mailed whatever the user's notification choices, and shown in the
// app as a `security_alert` notification. A notice never fails (a failure is logged): callers send it
// after their commit without waiting for it.
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import type { Mailer } from '../communication/mailer.js';
import { notify } from '../communication/notify.js';

export type SecurityNotice =
  | 'password_changed'
  | 'password_reset'
  | 'email_changed'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'recovery_code_used'
  | 'refresh_reuse';

const NOTICES: Record<SecurityNotice, { subject: string; text: string }> = {
  password_changed: {
    subject: 'Your skillEd password was changed',
    text: 'The password of your skillEd account was just changed, and your other sessions were signed out.',
  },
  password_reset: {
    subject: 'Your skillEd password was reset',
    text: 'The password of your skillEd account was just reset with a link sent to this address. Every session was signed out.',
  },
  email_changed: {
    subject: 'The email of your skillEd account was changed',
    text: 'The email address of your skillEd account was just changed away from this address.',
  },
  mfa_enabled: {
    subject: 'Two-step sign-in was turned on',
    text: 'A second sign-in step was just added to your skillEd account, and your other sessions were signed out.',
  },
  mfa_disabled: {
    subject: 'A two-step sign-in method was turned off',
    text: 'A second sign-in step of your skillEd account was just turned off.',
  },
  recovery_code_used: {
    subject: 'A recovery code was used to sign in',
    text: 'One of your skillEd recovery codes was just used to sign in. Each code works once.',
  },
  refresh_reuse: {
    subject: 'A session of your skillEd account was ended',
    text:
      'A sign-in token of your skillEd account that had already been used was presented again. This can mean it ' +
      'was copied from one of your devices, so that session was ended: sign in again on it.',
  },
};

const UNEXPECTED = 'If this was not you, reset your password at once and review your sessions.';

export interface SecurityMail {
  /** An email verification code and link; throws when the mail cannot be sent. */
  verification(to: string, code: string, token: string): Promise<void>;
  passwordReset(to: string, token: string): Promise<void>;
  signInCode(to: string, code: string): Promise<void>;
  /** Tells the user of a change, by mail (to `mailTo`, else their address) and in the app. */
  notice(user: { id: string; email: string }, notice: SecurityNotice, details?: string, options?: { mailTo?: string }): Promise<void>;
}

export function createSecurityMail(deps: { db: Database; mailer: Mailer; log: FastifyBaseLogger; publicUrl: string }): SecurityMail {
  const { db, mailer, log, publicUrl } = deps;
  const link = (path: string, token: string) => `${publicUrl}${path}?token=${encodeURIComponent(token)}`;
  return {
    verification: (to, code, token) =>
      mailer.send({
        to,
        subject: `${code} is your skillEd verification code`,
        text:
          `Your skillEd verification code is ${code}.\n\nOr open this link to confirm your email address:\n` +
          `${link('/verify-email', token)}\n\nThe code and the link work once, for 24 hours. ` +
          'If you did not sign up for skillEd, ignore this mail.',
      }),
    passwordReset: (to, token) =>
      mailer.send({
        to,
        subject: 'Reset your skillEd password',
        text:
          `Someone asked to reset the password of the skillEd account of this address. To choose a new password, open:\n` +
          `${link('/reset-password', token)}\n\nThe link works once, for 30 minutes. If it was not you, ignore this mail: ` +
          'your password stays as it is.',
      }),
    signInCode: (to, code) =>
      mailer.send({
        to,
        subject: `${code} is your skillEd sign-in code`,
        text: `Your skillEd sign-in code is ${code}. It works once, for 5 minutes. Never share it.\n\n${UNEXPECTED}`,
      }),
    async notice(user, notice, details, options = {}) {
      const { subject, text } = NOTICES[notice];
      const body = `${text}${details ? `\n\n${details}` : ''}`;
      try {
        await mailer.send({ to: options.mailTo ?? user.email, subject, text: `${body}\n\n${UNEXPECTED}` });
      } catch (error) {
        log.error({ err: error, notice }, 'a security notice could not be mailed');
      }
      try {
        await notify(db, {
          recipients: { userIds: [user.id] },
          type: 'security_alert',
          title: subject,
          body,
          link: '/settings/security',
          data: { notice },
        });
      } catch (error) {
        log.error({ err: error, notice }, 'a security notice could not be shown in the app');
      }
    },
  };
}

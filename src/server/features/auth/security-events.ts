// Security events (sign-ins, second factors, sessions, password and email changes) go to the audit log
// like every other change, with the client's IP address (a column of the log) and user agent.
import type { Executor } from '../../db/client.js';
import { type AuditActor, recordAudit } from '../audit/log.js';

export type SecurityAction =
  | 'user.signin'
  | 'user.signin_failed'
  | 'user.signin_challenged'
  | 'user.password_change'
  | 'user.password_reset_request'
  | 'user.password_reset'
  | 'user.email_change'
  | 'user.email_verify'
  | 'mfa.enable'
  | 'mfa.disable'
  | 'mfa.totp_enrollment_start'
  | 'mfa.sms_enrollment_start'
  | 'mfa.recovery_code_used'
  | 'mfa.recovery_codes_regenerate'
  | 'session.revoke'
  | 'session.refresh_reuse'
  | 'session.refresh_refused';

export async function recordSecurityEvent(
  tx: Executor,
  actor: AuditActor,
  action: SecurityAction,
  userId: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(tx, actor, {
    action,
    targetType: 'user',
    targetId: userId,
    after: { ...details, userAgent: (actor.userAgent ?? '').slice(0, 200) },
  });
}

/** `+1415•••0100`: enough to recognise one's own number. */
export const maskPhone = (phone: string): string => (phone.length > 7 ? `${phone.slice(0, 5)}•••${phone.slice(-4)}` : '•••');

/** `a•••e@example.com`. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const shown = local.length <= 2 ? `${local.slice(0, 1)}•••` : `${local.slice(0, 1)}•••${local.slice(-1)}`;
  return `${shown}@${domain}`;
}

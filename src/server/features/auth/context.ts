// What the account-security services share: the database, session policy, mail and SMS, the keys for
// TOTP secrets and one-time codes, and what to do once sessions have ended.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app.js';
import type { Database } from '../../db/client.js';
import { createCodeHasher, createSecretBox, type SecretBox } from '../../http/secret-box.js';
import { createSmsSender, type SmsSender } from './mfa/sms.js';
import { createSecurityMail, type SecurityMail } from './security-mail.js';
import type { SessionDeps } from './sessions/store.js';
import type { CodeHasher } from './verification-codes.js';

export interface AccountSecurity {
  db: Database;
  sessions: SessionDeps;
  mail: SecurityMail;
  sms: SmsSender;
  /** Encrypts TOTP secrets at rest; the owner is the user id. */
  totpSecrets: SecretBox;
  hashCode: CodeHasher;
  /**
   * After a commit that ended sessions of the user: this instance forgets what it cached about them
   * (other instances within SESSION_CHECK_TTL_MS), and the user's real-time connections close everywhere.
   */
  sessionsEnded(userId: string): void;
  log: FastifyBaseLogger;
}

export function createAccountSecurity(app: FastifyInstance, deps: AppDeps): AccountSecurity {
  const { config } = deps;
  const log = app.log.child({ component: 'account-security' });
  return {
    db: deps.database.db,
    sessions: {
      signer: deps.signer,
      policy: {
        absoluteTtl: config.refreshTokenTtl,
        idleTtl: config.refreshIdleTtl,
        maxSessions: config.accountSecurity.maxSessions,
        ipBinding: config.accountSecurity.ipBinding,
      },
    },
    mail: createSecurityMail({ db: deps.database.db, mailer: deps.mailer, log, publicUrl: config.publicUrl }),
    sms: createSmsSender({ ...config.accountSecurity.sms, env: config.env }, log),
    totpSecrets: createSecretBox(config.jwtSecret, 'totp-secret'),
    hashCode: createCodeHasher(config.jwtSecret, 'one-time-code'),
    sessionsEnded(userId) {
      app.sessionValidity.forgetUser(userId);
      app.realtime.disconnectUser(userId);
    },
    log,
  };
}

/** Routes of one account-security concern, registered by the auth feature with the shared context. */
export type AccountSecurityRoutes = FastifyPluginAsyncZod<{ ctx: AccountSecurity }>;

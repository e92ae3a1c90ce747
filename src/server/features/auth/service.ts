// Registration, sign-in and refresh-token rotation. Knows nothing of HTTP.
import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { RegisterBody } from '../../../contract/auth.js';
import type { Database } from '../../db/client.js';
import { activities, sessions, users } from '../../db/schema.js';
import type { RequestOrigin } from '../../http/auth.js';
import { AppError, isUniqueViolation, postgresErrorCode } from '../../http/errors.js';
import { hashToken, newRefreshToken, type TokenSigner } from '../../http/tokens.js';
import { recordAudit } from '../audit/log.js';
import { presentAccount } from '../users/presenter.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

export interface ClientInfo {
  ipAddress: string;
  userAgent: string;
}

export interface AuthServiceDeps {
  db: Database;
  signer: TokenSigner;
  refreshTokenTtl: number;
}

type UserRow = typeof users.$inferSelect;

export const findUserByEmail = async (db: Database, email: string): Promise<UserRow | undefined> =>
  (await db.select().from(users).where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`).limit(1))[0];

export function createAuthService({ db, signer, refreshTokenTtl }: AuthServiceDeps) {
  async function issueTokens(user: UserRow, familyId: string, client: ClientInfo, tx: Database = db) {
    const refreshToken = newRefreshToken();
    const refreshExpiresAt = new Date(Date.now() + refreshTokenTtl * 1000);
    await tx.insert(sessions).values({
      userId: user.id,
      familyId,
      refreshTokenHash: hashToken(refreshToken),
      ipAddress: client.ipAddress,
      userAgent: client.userAgent.slice(0, 512),
      expiresAt: refreshExpiresAt,
    });
    const { token, expiresAt } = await signer.signAccess({ userId: user.id, role: user.role, sessionId: familyId });
    return {
      user: presentAccount(user),
      accessToken: token,
      expiresAt: expiresAt.toISOString(),
      refreshToken,
      refreshExpiresAt: refreshExpiresAt.toISOString(),
    };
  }

  return {
    async register(body: Required<Pick<RegisterBody, 'role'>> & RegisterBody, origin: RequestOrigin) {
      if (body.role === 'admin') {
        throw new AppError('ROLE_NOT_ALLOWED', 'Admin accounts can only be created by an admin');
      }
      const [emailTaken, usernameTaken] = await Promise.all([
        db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${body.email.toLowerCase()}`).limit(1),
        db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${body.username.toLowerCase()}`).limit(1),
      ]);
      if (emailTaken.length) throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
      if (usernameTaken.length) throw new AppError('USERNAME_TAKEN', 'This username is already taken');
      const passwordHash = await hashPassword(body.password);
      try {
        const user = await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(users)
            .values({
              email: body.email,
              passwordHash,
              firstName: body.firstName,
              lastName: body.lastName,
              username: body.username,
              role: body.role,
              ...(body.preferredStudyTime ? { preferredStudyTime: body.preferredStudyTime } : {}),
            })
            .returning();
          // The new user is the actor of their own registration.
          await recordAudit(tx, { ...origin, id: row!.id, role: row!.role }, {
            action: 'user.register',
            targetType: 'user',
            targetId: row!.id,
            after: { email: row!.email, username: row!.username, firstName: row!.firstName, lastName: row!.lastName, role: row!.role },
          });
          return row!;
        });
        return presentAccount(user);
      } catch (error) {
        // Lost a race with an identical registration.
        if (isUniqueViolation(error)) {
          const detail = String((error as { cause?: { constraint?: string } }).cause?.constraint ?? error);
          throw detail.includes('username')
            ? new AppError('USERNAME_TAKEN', 'This username is already taken')
            : new AppError('EMAIL_TAKEN', 'An account with this email already exists');
        }
        throw error;
      }
    },

    async signIn(email: string, password: string, client: ClientInfo, origin: RequestOrigin) {
      const user = await findUserByEmail(db, email);
      const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyPassword(await decoyHash(), password);
      if (!user || !valid) throw new AppError('INVALID_CREDENTIALS', 'Invalid email or password');
      if (user.status === 'suspended') throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended');
      return db.transaction(async (tx) => {
        const tokens = await issueTokens(user, randomUUID(), client, tx);
        await tx.insert(activities).values({ userId: user.id, type: 'signed_in', title: 'Signed in' });
        await recordAudit(tx, { ...origin, id: user.id, role: user.role }, {
          action: 'user.signin',
          targetType: 'user',
          targetId: user.id,
          after: { userAgent: client.userAgent.slice(0, 200) },
        });
        return tokens;
      });
    },

    /** Rotates a refresh token. A token that was already rotated is a theft signal: its whole family ends. */
    async refresh(refreshToken: string, client: ClientInfo) {
      const invalid = () => new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired; sign in again');
      return db.transaction(async (tx) => {
        const [session] = await tx
          .select()
          .from(sessions)
          .where(eq(sessions.refreshTokenHash, hashToken(refreshToken)))
          .for('update')
          .limit(1);
        if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) throw invalid();
        if (session.rotatedAt) {
          await tx
            .update(sessions)
            .set({ revokedAt: new Date() })
            .where(and(eq(sessions.familyId, session.familyId), isNull(sessions.revokedAt)));
          return { reused: true as const };
        }
        const [user] = await tx.select().from(users).where(eq(users.id, session.userId)).limit(1);
        if (!user) throw invalid();
        if (user.status === 'suspended') throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended');
        await tx.update(sessions).set({ rotatedAt: new Date(), lastUsedAt: new Date() }).where(eq(sessions.id, session.id));
        return { reused: false as const, tokens: await issueTokens(user, session.familyId, client, tx) };
      }).then((result) => {
        // Thrown after commit so that the family's revocation is kept.
        if (result.reused) throw invalid();
        return result.tokens;
      });
    },

    /** Ends the session family of a refresh token or of the access token's session. */
    async signOut(refreshToken: string | undefined, sessionId: string | undefined) {
      let familyId = sessionId;
      if (refreshToken) {
        const [session] = await db
          .select({ familyId: sessions.familyId })
          .from(sessions)
          .where(eq(sessions.refreshTokenHash, hashToken(refreshToken)))
          .limit(1);
        familyId = session?.familyId ?? familyId;
      }
      if (!familyId) return;
      await db
        .update(sessions)
        .set({ revokedAt: new Date() })
        .where(and(eq(sessions.familyId, familyId), isNull(sessions.revokedAt)));
    },

    async check(userId: string) {
      const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
      if (!user || user.status === 'suspended') return { authenticated: false as const };
      const { id, email, role, firstName, lastName, username } = user;
      return { authenticated: true as const, user: { id, email, role, firstName, lastName, username } };
    },
  };
}

/** Makes sure the configured admin account exists (and is an active admin), at every start. */
export async function ensureAdminAccount(db: Database, admin: { email: string; password: string }) {
  const existing = await findUserByEmail(db, admin.email);
  if (existing) {
    if (existing.role !== 'admin' || existing.status !== 'active') {
      await db.update(users).set({ role: 'admin', status: 'active', updatedAt: new Date() }).where(eq(users.id, existing.id));
    }
    return { created: false, id: existing.id };
  }
  const base = admin.email.split('@')[0]!.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 24) || 'admin';
  for (let attempt = 0; ; attempt++) {
    const username = attempt === 0 ? base : `${base}${attempt}`;
    try {
      const [row] = await db
        .insert(users)
        .values({
          email: admin.email.toLowerCase(),
          passwordHash: await hashPassword(admin.password),
          firstName: 'Platform',
          lastName: 'Admin',
          username,
          role: 'admin',
        })
        .returning({ id: users.id });
      return { created: true, id: row!.id };
    } catch (error) {
      if (postgresErrorCode(error) !== '23505' || attempt > 20) throw error;
      // another instance may have created it meanwhile
      const raced = await findUserByEmail(db, admin.email);
      if (raced) return { created: false, id: raced.id };
    }
  }
}

// User administration (admins): the user list, roles, suspension. Knows nothing of HTTP.
import { and, count, desc, eq, ilike, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { UserRole } from '../../../contract/common.js';
import type { AdminUserAccount, ListUsersQuery } from '../../../contract/users.js';
import type { Database, Transaction } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { courses, sessions, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { presentAdminAccount } from './presenter.js';

export interface UserAdminDeps {
  db: Database;
  /** Called after a commit that changes whether or how a user's tokens may be used. */
  forgetSessions: (userId: string) => void;
}

type UserRow = typeof users.$inferSelect;

// Arbitrary constant: role changes and suspensions take turns, so that two of them cannot each
// leave the other admin as "the one remaining" and together remove every admin.
const ADMIN_CHANGES_LOCK = 4242002;

/** `%`, `_` and `\` match themselves in a search. */
const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function lockUser(tx: Transaction, userId: string): Promise<UserRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_CHANGES_LOCK})`);
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update').limit(1);
  if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');
  return user;
}

/** Refuses to take away the last active admin. */
async function assertNotLastAdmin(tx: Transaction, target: UserRow): Promise<void> {
  if (target.role !== 'admin' || target.status !== 'active') return;
  const [others] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.status, 'active'), sql`${users.id} <> ${target.id}`));
  if (!others?.n) {
    throw new AppError('LAST_ADMIN', 'This is the only active admin: make another admin first');
  }
}

export function createUserAdminService({ db, forgetSessions }: UserAdminDeps) {
  return {
    async list(query: ListUsersQuery) {
      const conditions: SQL[] = [];
      if (query.role) conditions.push(eq(users.role, query.role));
      if (query.status) conditions.push(eq(users.status, query.status));
      if (query.search) {
        const pattern = likePattern(query.search);
        conditions.push(
          or(
            ilike(users.email, pattern),
            ilike(users.username, pattern),
            ilike(users.firstName, pattern),
            ilike(users.lastName, pattern),
            sql`(${users.firstName} || ' ' || ${users.lastName}) ilike ${pattern}`,
          )!,
        );
      }
      const where = conditions.length ? and(...conditions) : undefined;
      const [rows, totals] = await Promise.all([
        db
          .select()
          .from(users)
          .where(where)
          .orderBy(desc(users.createdAt), desc(users.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ n: count() }).from(users).where(where),
      ]);
      return { data: rows.map(presentAdminAccount), pagination: pageInfo(query.page, query.limit, totals[0]?.n ?? 0) };
    },

    async changeRole(actor: AuthUser, userId: string, role: UserRole): Promise<AdminUserAccount> {
      const user = await db.transaction(async (tx) => {
        const target = await lockUser(tx, userId);
        if (target.role === role) return target;
        await assertNotLastAdmin(tx, target);
        if (role === 'student') {
          const [taught] = await tx.select({ id: courses.id }).from(courses).where(eq(courses.instructorId, target.id)).limit(1);
          if (taught) {
            throw new AppError('INSTRUCTOR_HAS_COURSES', 'This user teaches courses: give them to another instructor first');
          }
        }
        const [updated] = await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, target.id)).returning();
        await recordAudit(tx, actor, {
          action: 'user.role',
          targetType: 'user',
          targetId: target.id,
          before: { role: target.role },
          after: { role },
        });
        return updated!;
      });
      forgetSessions(userId);
      return presentAdminAccount(user);
    },

    /** Suspends the account and ends every session of it; suspending a suspended account changes nothing. */
    async suspend(actor: AuthUser, userId: string, reason: string | undefined): Promise<AdminUserAccount> {
      const user = await db.transaction(async (tx) => {
        const target = await lockUser(tx, userId);
        if (target.status === 'suspended') return target;
        await assertNotLastAdmin(tx, target);
        const now = new Date();
        const [updated] = await tx
          .update(users)
          .set({ status: 'suspended', suspendedAt: now, suspensionReason: reason || null, updatedAt: now })
          .where(eq(users.id, target.id))
          .returning();
        const revoked = await tx
          .update(sessions)
          .set({ revokedAt: now })
          .where(and(eq(sessions.userId, target.id), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id });
        await recordAudit(tx, actor, {
          action: 'user.suspend',
          targetType: 'user',
          targetId: target.id,
          before: { status: target.status },
          after: { status: 'suspended', reason: reason || null, sessionsRevoked: revoked.length },
        });
        return updated!;
      });
      // After the commit: a read made before it could otherwise be cached as still valid.
      forgetSessions(userId);
      return presentAdminAccount(user);
    },

    /** Re-activates the account; the user signs in again (their old sessions stay ended). */
    async unsuspend(actor: AuthUser, userId: string): Promise<AdminUserAccount> {
      const user = await db.transaction(async (tx) => {
        const target = await lockUser(tx, userId);
        if (target.status === 'active') return target;
        const [updated] = await tx
          .update(users)
          .set({ status: 'active', suspendedAt: null, suspensionReason: null, updatedAt: new Date() })
          .where(eq(users.id, target.id))
          .returning();
        await recordAudit(tx, actor, {
          action: 'user.unsuspend',
          targetType: 'user',
          targetId: target.id,
          before: { status: target.status, reason: target.suspensionReason },
          after: { status: 'active' },
        });
        return updated!;
      });
      forgetSessions(userId);
      return presentAdminAccount(user);
    },
  };
}

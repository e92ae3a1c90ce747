// Reading the audit log: filterable, paginated, newest first. Nothing here (or anywhere in the API)
// changes or deletes a row; the database refuses it too (migration 0009).
import { and, count, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import type { AuditEntry, AuditLogQuery } from '../../../contract/audit.js';
import type { Database } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { auditLog, users } from '../../db/schema.js';
import { parseUpperBound } from '../reports/range.js';
import { iso } from '../users/presenter.js';

function filters(query: AuditLogQuery): SQL | undefined {
  const conditions: SQL[] = [];
  if (query.actorId) conditions.push(eq(auditLog.actorId, query.actorId));
  if (query.action) {
    // `user.*`: every action of the domain (`_` is escaped, the contract allows no other wildcard).
    const prefix = query.action.endsWith('.*') ? query.action.slice(0, -1).replace(/_/g, '\\_') : undefined;
    conditions.push(prefix ? like(auditLog.action, `${prefix}%`) : eq(auditLog.action, query.action));
  }
  if (query.targetType) conditions.push(eq(auditLog.targetType, query.targetType));
  if (query.targetId) conditions.push(eq(auditLog.targetId, query.targetId));
  if (query.from) conditions.push(gte(auditLog.createdAt, new Date(query.from)));
  if (query.to) conditions.push(lt(auditLog.createdAt, parseUpperBound(query.to)));
  return conditions.length ? and(...conditions) : undefined;
}

export function createAuditService({ db }: { db: Database }) {
  return {
    async list(query: AuditLogQuery) {
      const where = filters(query);
      const [rows, totals] = await Promise.all([
        db
          .select({
            entry: auditLog,
            actorFirstName: users.firstName,
            actorLastName: users.lastName,
            actorCurrentRole: users.role,
          })
          .from(auditLog)
          .leftJoin(users, eq(users.id, auditLog.actorId))
          .where(where)
          .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ n: count() }).from(auditLog).where(where),
      ]);
      const data: AuditEntry[] = rows.map(({ entry, actorFirstName, actorLastName, actorCurrentRole }) => ({
        id: entry.id,
        actor:
          entry.actorId && actorFirstName !== null && actorLastName !== null
            ? {
                id: entry.actorId,
                firstName: actorFirstName,
                lastName: actorLastName,
                role: entry.actorRole ?? actorCurrentRole ?? 'student',
              }
            : null,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        before: entry.before,
        after: entry.after,
        ip: entry.ip,
        requestId: entry.requestId,
        createdAt: iso(entry.createdAt),
      }));
      return { data, pagination: pageInfo(query.page, query.limit, totals[0]?.n ?? 0) };
    },
  };
}

// The audit log: every mutation writes one row, in the same transaction as the change itself, so a
// change and its audit row are committed (or rolled back) together.
import type { UserRole } from '../../../contract/common.js';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { combinedValues, placeholders, reusableQuery } from '../../db/reusable-queries.js';
import { type ActivityEntry, activityRowInsert, activityRowValues } from '../analytics/activity.js';
import { auditLog } from '../../db/schema.js';
import type { RequestOrigin } from '../../http/auth.js';

/** Who acted: a signed-in user, or only a request origin (sign-up, sign-in, password reset). */
export type AuditActor = RequestOrigin & { id?: string | null; role?: UserRole | null };

export interface AuditEntry {
  /** `<domain>.<verb>`, for example `course.update`, `submission.grade`, `user.suspend`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** The fields that changed, as they were and as they are; omit secrets. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * The audit row's insert, its values placeholders (see auditRowValues): a statement of its own here, and
 * a part of a larger statement where a change writes several rows at once (see lessons/service.ts).
 */
export const auditRowInsert = (db: Executor) =>
  db.insert(auditLog).values({
    ...placeholders('actorId', 'actorRole', 'action', 'targetType', 'targetId', 'ip', 'requestId'),
    // SQL null when absent (see reusableQuery).
    before: sql`${sql.placeholder('before')}`,
    after: sql`${sql.placeholder('after')}`,
  });

/** The values of auditRowInsert's placeholders. */
export const auditRowValues = (actor: AuditActor, entry: AuditEntry) => ({
  actorId: actor.id ?? null,
  actorRole: actor.role ?? null,
  action: entry.action,
  targetType: entry.targetType,
  targetId: entry.targetId ?? null,
  before: entry.before ?? null,
  after: entry.after ?? null,
  ip: actor.ip ?? null,
  requestId: actor.requestId ?? null,
});

const insertAuditRow = reusableQuery('insert_audit_row', auditRowInsert);

export async function recordAudit(db: Executor, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await insertAuditRow(db, auditRowValues(actor, entry));
}

const insertAuditAndActivityRows = reusableQuery('insert_audit_and_activity_rows', (db) =>
  activityRowInsert(db.with(db.$with('audit_row').as(auditRowInsert(db)))),
);

/** The audit row and the actor's timeline row of one change, in one statement. */
export async function recordAuditWithActivity(db: Executor, actor: AuditActor, entry: AuditEntry, activity: ActivityEntry): Promise<void> {
  await insertAuditAndActivityRows(db, combinedValues(auditRowValues(actor, entry), activityRowValues(activity)));
}

/** The fields of `after` whose value differs from `before`, as a before/after pair for the log. */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const old = before[key];
    const same = old instanceof Date && value instanceof Date ? old.getTime() === value.getTime() : JSON.stringify(old) === JSON.stringify(value);
    if (!same) {
      was[key] = old ?? null;
      now[key] = value;
    }
  }
  return { before: was, after: now };
}

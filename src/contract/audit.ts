// The audit log: read-only through the API.
import { z } from 'zod';
import { checkRange, RangeBound } from './admin.js';
import { Id, IsoDate, PageQuery, pageEnvelope, UserRole } from './common.js';

export const AuditLogQuery = PageQuery.extend({
  actorId: Id.optional(),
  action: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(100)
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, 'must be an action such as user.suspend, or a domain such as user.*')
    .optional()
    .describe('An action (`user.suspend`), or every action of a domain (`user.*`)'),
  targetType: z.string().trim().min(1).max(50).optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  from: RangeBound.optional().describe('Rows written at or after this'),
  to: RangeBound.optional().describe('Rows written before this; a plain date includes that whole day'),
}).superRefine(checkRange(3660));
export type AuditLogQuery = z.infer<typeof AuditLogQuery>;

export const AuditEntry = z
  .object({
    id: z.number().int(),
    actor: z
      .object({ id: Id, firstName: z.string(), lastName: z.string(), role: UserRole.describe('The role the actor had then') })
      .nullable()
      .describe('null when nobody was signed in or the account no longer exists'),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditLogResponse = pageEnvelope(AuditEntry);

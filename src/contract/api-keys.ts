// Named API keys: a script or integration acts as the key's owner, limited to the key's scopes.
import { z } from 'zod';
import { Id, IsoDate, messageDataEnvelope, PageQuery, pageEnvelope, dataEnvelope } from './common.js';

/** A permission of the owner's role, such as `courses:manage-own` (see the README's permission table). */
export const ApiKeyScope = z
  .string()
  .trim()
  .regex(/^[a-z]+(-[a-z]+)*:[a-z]+(-[a-z]+)*$/, 'must be a permission such as courses:manage-own')
  .max(64);

export const ApiKeyStatus = z.enum(['active', 'expired', 'revoked']);
export type ApiKeyStatus = z.infer<typeof ApiKeyStatus>;

export const ApiKey = z
  .object({
    id: Id,
    name: z.string(),
    prefix: z.string().describe('The start of the key, to recognise it; the whole key is shown only once'),
    userId: Id.describe('The owner: requests made with the key act as this user'),
    createdBy: Id.nullable().describe('Who created it: the owner, or an admin'),
    scopes: z.array(z.string()),
    status: ApiKeyStatus,
    expiresAt: IsoDate.nullable(),
    revokedAt: IsoDate.nullable(),
    replacedBy: Id.nullable().describe('The key issued when this one was rotated'),
    lastUsedAt: IsoDate.nullable().describe('Updated at most once a minute'),
    lastUsedIp: z.string().nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The secret key (`sk_live_…`): shown this once, store it now'),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

const scopesField = z
  .array(ApiKeyScope)
  .min(1, 'needs at least one scope')
  .max(50)
  .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope');

export const CreateApiKeyBody = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  scopes: scopesField.describe("Permissions the key may use: a subset of its owner's role permissions"),
  expiresAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
    .optional()
    .describe('When the key stops working (at most two years ahead); none: until revoked'),
  userId: Id.optional().describe('The owner (admins only); default: the caller'),
});
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKeyListQuery = PageQuery.extend({
  userId: Id.optional().describe("Another user's keys (admins only); default: the caller's"),
  status: ApiKeyStatus.optional(),
});
export type ApiKeyListQuery = z.infer<typeof ApiKeyListQuery>;

export const ApiKeyIdParams = z.object({ keyId: Id });

export const RotateApiKeyBody = z
  .object({
    gracePeriodHours: z
      .number()
      .min(0)
      .max(24 * 7)
      .default(24)
      .describe('How long the old key keeps working (default 24 hours, at most 7 days)'),
  })
  .nullish();
export type RotateApiKeyBody = z.input<typeof RotateApiKeyBody>;

export const ApiKeyListResponse = pageEnvelope(ApiKey);
export const ApiKeyResponse = dataEnvelope(ApiKey);
export const CreatedApiKeyResponse = messageDataEnvelope(CreatedApiKey);
export const RotatedApiKeyResponse = messageDataEnvelope(CreatedApiKey.extend({ previous: ApiKey }));
export const RevokedApiKeyResponse = messageDataEnvelope(ApiKey);

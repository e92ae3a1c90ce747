import { z } from 'zod';

export const BATCH_LIMIT = 20;

export const BatchRequestItem = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z
    .string()
    .regex(/^\/api\//, 'must be an API path starting with /api/')
    .refine((p) => !p.startsWith('/api/batch'), 'a batch cannot contain another batch')
    .max(2048),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional().describe('Extra headers such as Idempotency-Key or If-None-Match'),
});
export type BatchRequestItem = z.infer<typeof BatchRequestItem>;

export const BatchBody = z.object({ requests: z.array(BatchRequestItem).min(1).max(BATCH_LIMIT) });

export const BatchResponseItem = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
});
export type BatchResponseItem = z.infer<typeof BatchResponseItem>;

export const BatchResponse = z.object({ data: z.array(BatchResponseItem) });

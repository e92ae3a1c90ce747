import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok'), uptime: z.number() });
export const ReadyResponse = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z
    .object({
      database: z.enum(['ok', 'failing']),
      redis: z.enum(['ok', 'failing']).optional().describe('Present when REDIS_URL is set'),
    })
    .describe('Each dependency and whether it answered; the instance is ready when all are ok'),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;

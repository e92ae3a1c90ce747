import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok'), uptime: z.number() });
export const ReadyResponse = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: z.enum(['ok', 'failing']) }),
});

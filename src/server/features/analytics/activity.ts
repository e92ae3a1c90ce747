// The learning timeline: one row per thing a user did, written in the same transaction as the change.
import type { Executor } from '../../db/client.js';
import { activities } from '../../db/schema.js';

type ActivityType = (typeof activities.$inferInsert)['type'];

export async function recordActivity(
  db: Executor,
  entry: { userId: string; type: ActivityType; title: string; courseId?: string | null; entityId?: string | null; at?: Date },
): Promise<void> {
  await db.insert(activities).values({
    userId: entry.userId,
    type: entry.type,
    title: entry.title,
    courseId: entry.courseId ?? null,
    entityId: entry.entityId ?? null,
    ...(entry.at ? { createdAt: entry.at } : {}),
  });
}

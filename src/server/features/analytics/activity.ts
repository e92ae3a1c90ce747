// The learning timeline: one row per thing a user did, written in the same transaction as the change.
import type { Executor } from '../../db/client.js';
import { placeholders, reusableQuery } from '../../db/reusable-queries.js';
import { activities } from '../../db/schema.js';

type ActivityType = (typeof activities.$inferInsert)['type'];

const insertActivity = reusableQuery('insert_activity', (db) =>
  db.insert(activities).values(placeholders('userId', 'type', 'title', 'courseId', 'entityId', 'createdAt')),
);

export async function recordActivity(
  db: Executor,
  entry: { userId: string; type: ActivityType; title: string; courseId?: string | null; entityId?: string | null; at?: Date },
): Promise<void> {
  await insertActivity(db, {
    userId: entry.userId,
    type: entry.type,
    title: entry.title,
    courseId: entry.courseId ?? null,
    entityId: entry.entityId ?? null,
    createdAt: entry.at ?? new Date(),
  });
}

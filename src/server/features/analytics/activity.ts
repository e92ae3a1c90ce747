// The learning timeline: one row per thing a user did, written in the same transaction as the change.
import type { Executor } from '../../db/client.js';
import { placeholders, reusableQuery } from '../../db/reusable-queries.js';
import { activities } from '../../db/schema.js';

type ActivityType = (typeof activities.$inferInsert)['type'];

export interface ActivityEntry {
  userId: string;
  type: ActivityType;
  title: string;
  courseId?: string | null;
  entityId?: string | null;
  at?: Date;
}

/**
 * The timeline row's insert, its values placeholders (see activityRowValues): a statement of its own here,
 * and a part of a larger statement where a change writes several rows at once (see lessons/service.ts).
 */
export const activityRowInsert = (db: Pick<Executor, 'insert'>) =>
  db.insert(activities).values(placeholders('userId', 'type', 'title', 'courseId', 'entityId', 'createdAt'));

/** The values of activityRowInsert's placeholders. */
export const activityRowValues = (entry: ActivityEntry) => ({
  userId: entry.userId,
  type: entry.type,
  title: entry.title,
  courseId: entry.courseId ?? null,
  entityId: entry.entityId ?? null,
  createdAt: entry.at ?? new Date(),
});

const insertActivity = reusableQuery('insert_activity', activityRowInsert);

export async function recordActivity(db: Executor, entry: ActivityEntry): Promise<void> {
  await insertActivity(db, activityRowValues(entry));
}

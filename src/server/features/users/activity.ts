// A user's activity log (sign-ins, enrolments, completions, submissions, grades, badges), newest first.
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { ActivityEntry, ActivityQuery } from '../../../contract/users.js';
import type { Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { activities, courses, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { iso } from './presenter.js';

/** The user themself and admins. */
export async function activityLog(db: Executor, viewer: AuthUser, userId: string, query: ActivityQuery) {
  if (viewer.id !== userId && viewer.role !== 'admin') {
    throw new AppError('FORBIDDEN', "Only admins may read another user's activity");
  }
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');

  const conditions: SQL[] = [eq(activities.userId, userId)];
  if (query.type) conditions.push(eq(activities.type, query.type));
  const where = and(...conditions);
  const [rows, totals] = await Promise.all([
    db
      .select({
        activityId: activities.id,
        type: activities.type,
        title: activities.title,
        courseId: activities.courseId,
        courseTitle: courses.title,
        entityId: activities.entityId,
        createdAt: activities.createdAt,
      })
      .from(activities)
      .leftJoin(courses, eq(courses.id, activities.courseId))
      .where(where)
      .orderBy(desc(activities.createdAt), desc(activities.id))
      .limit(query.limit)
      .offset(pageOffset(query.page, query.limit)),
    db.select({ n: count() }).from(activities).where(where),
  ]);
  const data: ActivityEntry[] = rows.map(({ createdAt, ...row }) => ({ ...row, timestamp: iso(createdAt) }));
  return { data, pagination: pageInfo(query.page, query.limit, totals[0]?.n ?? 0) };
}

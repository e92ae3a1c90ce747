// What follows a change that can complete a course for a student (a lesson completed, work handed in,
// a quiz taken, or a lesson, assignment or quiz removed from the course): the enrolment marked complete
// with its activity, and the badges now earned with theirs, all in the caller's transaction.
import { and, eq, isNull } from 'drizzle-orm';
import type { BadgeType } from '../../../contract/common.js';
import { concurrentSteps, type Executor } from '../../db/client.js';
import { courseEnrollments } from '../../db/schema.js';
import { awardBadges, type BadgeChange, badgeRules } from '../achievements/rules.js';
import { recordActivity } from '../analytics/activity.js';
import type { CourseProgressSummary } from '../../../contract/progress.js';
import { markCompletionIfDone } from './progress.js';

/** Awards the badges the changes can earn and the student now meets, each with its activity. Returns the new badges. */
export async function awardBadgesWithActivity(tx: Executor, studentId: string, at: Date, after: readonly BadgeChange[]): Promise<BadgeType[]> {
  const earned = await awardBadges(tx, studentId, at, after);
  for (const badge of earned) {
    await recordActivity(tx, { userId: studentId, type: 'achievement_earned', title: `Earned ${badgeRules[badge].title}`, at });
  }
  return earned;
}

/**
 * Completes the student's enrolment if everything is now done, then awards the badges that `change` (and a
 * completed course) can earn. Returns the new badges and the course progress it read.
 */
export async function settleCourseProgress(
  tx: Executor,
  studentId: string,
  course: { id: string; title: string },
  at: Date,
  change: BadgeChange | null,
): Promise<{ newBadges: BadgeType[]; progress: CourseProgressSummary }> {
  // The change's own badges do not depend on the course's completion: their check is sent with the
  // progress read (one round trip); a completed course's badges are checked once it is marked complete.
  const [{ justCompleted, progress }, changeBadges] = await concurrentSteps([
    markCompletionIfDone(tx, studentId, course.id, at),
    change ? awardBadgesWithActivity(tx, studentId, at, [change]) : Promise.resolve([]),
  ]);
  if (!justCompleted) return { newBadges: changeBadges, progress };
  await recordActivity(tx, {
    userId: studentId,
    type: 'course_completed',
    title: `Completed ${course.title}`,
    courseId: course.id,
    entityId: course.id,
    at,
  });
  const courseBadges = await awardBadgesWithActivity(tx, studentId, at, ['course_completed']);
  return { newBadges: [...changeBadges, ...courseBadges], progress };
}

/**
 * After something was removed from the course: every active student who has not completed it yet may
 * now have done everything that is left.
 */
export async function settleCourseForActiveStudents(tx: Executor, course: { id: string; title: string }, at: Date): Promise<void> {
  const pending = await tx
    .select({ studentId: courseEnrollments.studentId })
    .from(courseEnrollments)
    .where(and(eq(courseEnrollments.courseId, course.id), eq(courseEnrollments.status, 'active'), isNull(courseEnrollments.completedAt)));
  for (const { studentId } of pending) await settleCourseProgress(tx, studentId, course, at, null);
}

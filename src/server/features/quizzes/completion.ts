// What follows a change that can complete a course for a student (a quiz taken, a quiz removed): the
// same steps the lesson and assignment flows take, in the caller's transaction.
import type { BadgeType } from '../../../contract/common.js';
import type { Executor } from '../../db/client.js';
import { awardBadges, badgeRules } from '../achievements/rules.js';
import { recordActivity } from '../analytics/activity.js';
import { markCompletionIfDone } from '../enrollments/progress.js';

export async function settleCourseProgress(
  tx: Executor,
  studentId: string,
  course: { id: string; title: string },
  at: Date,
): Promise<BadgeType[]> {
  if (await markCompletionIfDone(tx, studentId, course.id, at)) {
    await recordActivity(tx, {
      userId: studentId,
      type: 'course_completed',
      title: `Completed ${course.title}`,
      courseId: course.id,
      entityId: course.id,
      at,
    });
  }
  const newAchievements = await awardBadges(tx, studentId, at);
  for (const badge of newAchievements) {
    await recordActivity(tx, { userId: studentId, type: 'achievement_earned', title: `Earned ${badgeRules[badge].title}`, at });
  }
  return newAchievements;
}

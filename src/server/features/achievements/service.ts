// A student's badges and progress toward the rest. Knows nothing of HTTP.
import { asc, eq } from 'drizzle-orm';
import type { PotentialAchievement, StudentAchievements } from '../../../contract/achievements.js';
import type { Database } from '../../db/client.js';
import { achievements, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordActivity } from '../analytics/activity.js';
import { effectiveStreak } from '../analytics/streaks.js';
import { assertCanViewStudentData } from '../courses/policy.js';
import { iso, presentSummary } from '../users/presenter.js';
import { learnerTotals } from '../users/statistics.js';
import { awardBadges, type BadgeStats, badgeRules, badgeStats, badgeTypes } from './rules.js';

export interface AchievementsServiceDeps {
  db: Database;
}

function potential(type: (typeof badgeTypes)[number], stats: BadgeStats): PotentialAchievement {
  const rule = badgeRules[type];
  const progress = rule.measure(stats);
  return {
    badgeType: type,
    title: rule.title,
    description: rule.description,
    progress,
    target: rule.target,
    percentage: Math.max(0, Math.min(100, Math.floor((progress / rule.target) * 100))),
  };
}

export function createAchievementsService({ db }: AchievementsServiceDeps) {
  return {
    /** Visible to the student, admins and the instructors of the student's courses. */
    async forStudent(viewer: AuthUser, studentId: string): Promise<StudentAchievements> {
      const [student] = await db.select().from(users).where(eq(users.id, studentId)).limit(1);
      if (!student) throw new AppError('USER_NOT_FOUND', 'User not found');
      await assertCanViewStudentData(db, viewer, studentId);

      return db.transaction(async (tx) => {
        // A badge whose rule is met shows as earned even if no change has awarded it yet.
        if (student.role === 'student') {
          const now = new Date();
          for (const badge of await awardBadges(tx, studentId, now)) {
            await recordActivity(tx, {
              userId: studentId,
              type: 'achievement_earned',
              title: `Earned ${badgeRules[badge].title}`,
              at: now,
            });
          }
        }
        const earnedRows = await tx
          .select({ achievementId: achievements.id, badgeType: achievements.badgeType, earnedAt: achievements.earnedAt })
          .from(achievements)
          .where(eq(achievements.studentId, studentId))
          .orderBy(asc(achievements.earnedAt), asc(achievements.badgeType));
        const stats = await badgeStats(tx, studentId);
        const totals = await learnerTotals(tx, studentId);

        const earned = new Set(earnedRows.map((row) => row.badgeType));
        return {
          student: { ...presentSummary(student), currentStreak: effectiveStreak(student) },
          achievements: earnedRows.map((row) => ({
            achievementId: row.achievementId,
            badgeType: row.badgeType,
            title: badgeRules[row.badgeType].title,
            description: badgeRules[row.badgeType].description,
            earnedAt: iso(row.earnedAt),
          })),
          potentialAchievements: badgeTypes.filter((type) => !earned.has(type)).map((type) => potential(type, stats)),
          statistics: {
            totalAchievements: earnedRows.length,
            totalCourses: totals.totalCourses,
            totalLessonsCompleted: totals.totalLessonsCompleted,
          },
        };
      });
    },
  };
}

// Users' profile pages. Knows nothing of HTTP.
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { EarnedAchievement, GivenRating, UserProfile } from '../../../contract/profile.js';
import type { Database, Executor } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { achievements, courseRatings, courses, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { effectiveStreak } from '../analytics/streaks.js';
import { loadEnrollments } from './enrollments.js';
import { iso, isoOrNull } from './presenter.js';
import { learnerTotals } from './statistics.js';

export interface UsersServiceDeps {
  db: Database;
}

/** The owner and admins see a user's private settings; everyone else the public profile. */
export const seesPrivateProfile = (viewer: Pick<AuthUser, 'id' | 'role'>, userId: string): boolean =>
  viewer.id === userId || viewer.role === 'admin';

const userById = reusableQuery('user_by_id', (db) =>
  db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .limit(1),
);

const achievementsOf = reusableQuery('achievements_of_student', (db) =>
  db
    .select({ achievementId: achievements.id, badgeType: achievements.badgeType, earnedAt: achievements.earnedAt })
    .from(achievements)
    .where(eq(achievements.studentId, sql.placeholder('studentId')))
    .orderBy(asc(achievements.earnedAt), asc(achievements.badgeType)),
);

async function earnedAchievements(db: Executor, studentId: string): Promise<EarnedAchievement[]> {
  const rows = await achievementsOf(db, { studentId });
  return rows.map((row) => ({ ...row, earnedAt: iso(row.earnedAt) }));
}

const ratingsBy = reusableQuery('ratings_by_student', (db) =>
  db
    .select({
      ratingId: courseRatings.id,
      courseId: courseRatings.courseId,
      courseTitle: courses.title,
      rating: courseRatings.rating,
      review: courseRatings.review,
      createdAt: courseRatings.createdAt,
    })
    .from(courseRatings)
    .innerJoin(courses, eq(courses.id, courseRatings.courseId))
    .where(eq(courseRatings.studentId, sql.placeholder('studentId')))
    .orderBy(desc(courseRatings.createdAt), asc(courseRatings.id)),
);

async function givenRatings(db: Executor, studentId: string): Promise<GivenRating[]> {
  const rows = await ratingsBy(db, { studentId });
  return rows.map(({ review, createdAt, ...rest }) => ({
    ...rest,
    ...(review ? { review } : {}),
    createdAt: iso(createdAt),
  }));
}

export function createUsersService({ db }: UsersServiceDeps) {
  return {
    /** A user's profile page, in a fixed number of queries. */
    async profile(viewer: AuthUser, userId: string): Promise<UserProfile> {
      const [user] = await userById(db, { userId });
      if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');
      const [enrollments, earned, ratings, totals] = await Promise.all([
        loadEnrollments(db, user.id),
        earnedAchievements(db, user.id),
        givenRatings(db, user.id),
        learnerTotals(db, user.id),
      ]);
      const currentStreak = effectiveStreak(user);
      const lastLearned = isoOrNull(user.lastLearned);
      const privateFields = seesPrivateProfile(viewer, user.id)
        ? {
            email: user.email,
            notificationPreference: user.notificationPreference,
            preferredStudyTime: user.preferredStudyTime,
            weeklyLearningGoal: user.weeklyLearningGoal,
            emailVerified: user.emailVerifiedAt !== null,
          }
        : {};
      return {
        id: user.id,
        ...privateFields,
        firstName: user.firstName,
        lastName: user.lastName,
        username: user.username,
        role: user.role,
        avatarUrl: user.avatarUrl,
        createdAt: iso(user.createdAt),
        updatedAt: iso(user.updatedAt),
        lastLearned,
        currentStreak,
        enrollments,
        achievements: earned,
        ratings,
        statistics: { ...totals, currentStreak, lastLearned },
      };
    },
  };
}

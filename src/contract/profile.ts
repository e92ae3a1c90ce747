// The caller's own profile and preferences, username checks, and the profile page of any user.
// Fields the spec marks optional (`?`) are omitted when they have no value; `lastLearned` is null
// until the user first learns, as in the account everywhere else.
import { z } from 'zod';
import {
  BadgeType,
  CourseCategory,
  DifficultyLevel,
  dataEnvelope,
  Id,
  IsoDate,
  StudyTime,
  UserRole,
  UserSummary,
} from './common.js';
import { ErrorResponse } from './errors.js';
import { CourseProgressSummary } from './progress.js';
import { Email, Password, PersonName, UserAccount, Username } from './users.js';

export const WeeklyLearningGoal = z
  .number({ error: 'must be a whole number of minutes' })
  .int('must be a whole number of minutes')
  .min(0, 'must be at least 0')
  .max(10080, 'must be at most 10080 (minutes in a week)')
  .describe('Minutes per week');

// ---- PUT /api/profile/update

export const UpdateProfileBody = z.object({
  userId: Id.optional().describe('Accepted for compatibility; must be the caller unless an admin'),
  firstName: PersonName.optional(),
  lastName: PersonName.optional(),
  email: Email.optional(),
  username: Username.optional(),
  weeklyLearningGoal: WeeklyLearningGoal.optional(),
  currentPassword: z
    .string()
    .min(1, 'is required')
    .max(1024)
    .optional()
    .describe("Required with newPassword or a new email: the caller's current password"),
  newPassword: Password.optional(),
});
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>;

/** The spec's `user` of a profile update: the account without its learning timestamps. */
export const ProfileUser = UserAccount.pick({
  id: true,
  firstName: true,
  lastName: true,
  email: true,
  username: true,
  weeklyLearningGoal: true,
  role: true,
  avatarUrl: true,
  notificationPreference: true,
  preferredStudyTime: true,
  currentStreak: true,
  createdAt: true,
  updatedAt: true,
  emailVerified: true,
}).meta({ id: 'ProfileUser' });
export type ProfileUser = z.infer<typeof ProfileUser>;
export const UpdateProfileResponse = z.object({ message: z.string(), user: ProfileUser });
/** A stale If-Match on a profile or preferences edit: the account as it is now (its ETag in the header). */
export const ProfilePreconditionFailed = ErrorResponse.extend({ current: ProfileUser }).meta({ id: 'ProfilePreconditionFailed' });

// ---- PUT /api/profile/preferences

export const UpdatePreferencesBody = z.object({
  userId: Id.describe('Required by the spec; must be the caller unless an admin'),
  notificationPreference: z.boolean({ error: 'must be true or false' }).optional(),
  preferredStudyTime: StudyTime.optional(),
  weeklyLearningGoal: WeeklyLearningGoal.optional(),
});
export type UpdatePreferencesBody = z.infer<typeof UpdatePreferencesBody>;

export const LearningPreferences = z
  .object({
    id: Id,
    notificationPreference: z.boolean(),
    preferredStudyTime: StudyTime,
    weeklyLearningGoal: z.number().int(),
  })
  .meta({ id: 'LearningPreferences' });
export type LearningPreferences = z.infer<typeof LearningPreferences>;
export const UpdatePreferencesResponse = z.object({ message: z.string(), user: LearningPreferences });

// ---- POST /api/profile/check-username

export const CheckUsernameBody = z.object({ username: Username });
export const UsernameAvailability = z.object({ username: z.string(), available: z.boolean() });
export type UsernameAvailability = z.infer<typeof UsernameAvailability>;
export const CheckUsernameResponse = dataEnvelope(UsernameAvailability);

// ---- GET /api/users/:userId/profile

export const UserIdParams = z.object({ userId: Id });

export const CourseEnrollment = z
  .object({
    enrollmentId: Id,
    courseId: Id,
    enrolledAt: IsoDate,
    course: z.object({
      courseId: Id,
      title: z.string(),
      category: CourseCategory,
      difficultyLevel: DifficultyLevel,
      thumbnailUrl: z.string(),
      instructor: UserSummary,
    }),
    progress: CourseProgressSummary,
    lessonCompletions: z.array(z.object({ lessonId: Id, completedAt: IsoDate })),
  })
  .meta({ id: 'CourseEnrollment' });
export type CourseEnrollment = z.infer<typeof CourseEnrollment>;

export const EarnedAchievement = z.object({ achievementId: Id, badgeType: BadgeType, earnedAt: IsoDate });
export type EarnedAchievement = z.infer<typeof EarnedAchievement>;

export const GivenRating = z.object({
  ratingId: Id,
  courseId: Id,
  courseTitle: z.string(),
  rating: z.number().int().min(1).max(5),
  review: z.string().optional(),
  createdAt: IsoDate,
});
export type GivenRating = z.infer<typeof GivenRating>;

export const ProfileStatistics = z.object({
  totalCourses: z.number().int().describe('Active enrollments'),
  completedCourses: z.number().int(),
  totalLessonsCompleted: z.number().int(),
  totalAssignmentsSubmitted: z.number().int().describe('Submitted or graded'),
  averageGrade: z.number().describe('Percent of the points of graded assignments and quizzes, one decimal; 0 if none'),
  totalStudyTime: z.number().int().describe('Minutes'),
  totalAchievements: z.number().int(),
  averageRating: z.number().describe('Of the ratings this user gave, one decimal; 0 if none'),
  currentStreak: z.number().int(),
  lastLearned: IsoDate.nullable(),
});
export type ProfileStatistics = z.infer<typeof ProfileStatistics>;

/**
 * The owner and admins see every field; any other signed-in user sees the public profile, without
 * email, notificationPreference, preferredStudyTime and weeklyLearningGoal.
 */
export const UserProfile = z
  .object({
    id: Id,
    email: z.string().optional().describe('Owner and admins only'),
    firstName: z.string(),
    lastName: z.string(),
    username: z.string(),
    role: UserRole,
    avatarUrl: z.string(),
    notificationPreference: z.boolean().optional().describe('Owner and admins only'),
    preferredStudyTime: StudyTime.optional().describe('Owner and admins only'),
    weeklyLearningGoal: z.number().int().optional().describe('Owner and admins only; minutes per week'),
    emailVerified: z.boolean().optional().describe('Owner and admins only'),
    createdAt: IsoDate,
    updatedAt: IsoDate,
    lastLearned: IsoDate.nullable(),
    currentStreak: z.number().int(),
    enrollments: z.array(CourseEnrollment),
    achievements: z.array(EarnedAchievement),
    ratings: z.array(GivenRating),
    statistics: ProfileStatistics,
  })
  .meta({ id: 'UserProfile' });
export type UserProfile = z.infer<typeof UserProfile>;

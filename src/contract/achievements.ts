// A student's badges and progress toward the ones not yet earned.
import { z } from 'zod';
import { BadgeType, dataEnvelope, Id, IsoDate } from './common.js';

export const StudentIdParams = z.object({ studentId: Id });

export const Achievement = z.object({
  achievementId: Id,
  badgeType: BadgeType,
  title: z.string(),
  description: z.string(),
  earnedAt: IsoDate,
});
export type Achievement = z.infer<typeof Achievement>;

export const PotentialAchievement = z.object({
  badgeType: BadgeType,
  title: z.string(),
  description: z.string(),
  progress: z.number().describe('The current value of what the badge measures'),
  target: z.number().describe('The value that earns the badge'),
  percentage: z.number().int().min(0).max(100),
});
export type PotentialAchievement = z.infer<typeof PotentialAchievement>;

export const StudentAchievements = z
  .object({
    student: z.object({
      id: Id,
      firstName: z.string(),
      lastName: z.string(),
      username: z.string(),
      currentStreak: z.number().int(),
    }),
    achievements: z.array(Achievement),
    potentialAchievements: z.array(PotentialAchievement).describe('Every badge not yet earned'),
    statistics: z.object({
      totalAchievements: z.number().int(),
      totalCourses: z.number().int().describe('Active enrollments'),
      totalLessonsCompleted: z.number().int(),
    }),
  })
  .meta({ id: 'StudentAchievements' });
export type StudentAchievements = z.infer<typeof StudentAchievements>;
export const StudentAchievementsResponse = dataEnvelope(StudentAchievements);

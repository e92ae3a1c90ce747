// The learner's own figures: analytics, progress per course, badges and recommendations.
import { queryOptions } from '@tanstack/react-query';
import type { AnalyticsPeriod } from '../../../sdk';
import { api } from '../../lib/api';

export const dashboardKeys = {
  all: ['dashboard'] as const,
  analytics: (userId: string, period: AnalyticsPeriod) => [...dashboardKeys.all, 'analytics', userId, period] as const,
  courseProgress: (userId: string) => [...dashboardKeys.all, 'course-progress', userId] as const,
  achievements: (userId: string) => [...dashboardKeys.all, 'achievements', userId] as const,
  recommendations: () => [...dashboardKeys.all, 'recommendations'] as const,
};

export const dashboardQueries = {
  analytics: (userId: string, period: AnalyticsPeriod) =>
    queryOptions({
      queryKey: dashboardKeys.analytics(userId, period),
      queryFn: ({ signal }) => api.getUserAnalytics(userId, period, { signal }),
      meta: { persist: true },
    }),
  courseProgress: (userId: string) =>
    queryOptions({
      queryKey: dashboardKeys.courseProgress(userId),
      queryFn: ({ signal }) => api.getUserCourseProgress(userId, { signal }),
      meta: { persist: true },
    }),
  achievements: (userId: string) =>
    queryOptions({
      queryKey: dashboardKeys.achievements(userId),
      queryFn: ({ signal }) => api.getStudentAchievements(userId, { signal }),
      meta: { persist: true },
    }),
  recommendations: () =>
    queryOptions({
      queryKey: dashboardKeys.recommendations(),
      queryFn: ({ signal }) => api.getRecommendations({ limit: 6 }, { signal }),
      meta: { persist: true },
    }),
};

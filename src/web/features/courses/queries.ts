// Course queries: one key factory, so that a mutation or a real-time event can name exactly what
// it makes stale.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { CourseCategory, DifficultyLevel } from '../../../sdk';
import type { CourseSort } from '../../../contract/courses';
import { api } from '../../lib/api';

export interface CatalogueFilters {
  search?: string;
  category?: CourseCategory;
  level?: DifficultyLevel;
  sort?: CourseSort;
}

export const CATALOGUE_PAGE_SIZE = 20;

export const courseKeys = {
  all: ['courses'] as const,
  lists: () => [...courseKeys.all, 'list'] as const,
  catalogue: (filters: CatalogueFilters) => [...courseKeys.lists(), 'catalogue', filters] as const,
  taught: (instructorId: string) => [...courseKeys.lists(), 'taught', instructorId] as const,
  details: () => [...courseKeys.all, 'detail'] as const,
  detail: (courseId: string) => [...courseKeys.details(), courseId] as const,
  progress: (courseId: string, studentId?: string) => [...courseKeys.all, 'progress', courseId, studentId ?? 'me'] as const,
  ratings: (courseId: string) => [...courseKeys.all, 'ratings', courseId] as const,
  atRisk: (courseId: string, criteria: { inactiveDays: number; gradeThreshold: number }) =>
    [...courseKeys.all, 'at-risk', courseId, criteria] as const,
};

export const courseQueries = {
  catalogue: (filters: CatalogueFilters) =>
    infiniteQueryOptions({
      queryKey: courseKeys.catalogue(filters),
      queryFn: ({ pageParam, signal }) =>
        api.listCourses(
          {
            page: pageParam,
            limit: CATALOGUE_PAGE_SIZE,
            search: filters.search,
            category: filters.category,
            difficulty: filters.level,
            sort: filters.sort ?? 'newest',
          },
          { signal },
        ),
      initialPageParam: 1,
      getNextPageParam: (last) => (last.pagination.hasNext ? last.pagination.page + 1 : undefined),
      meta: { persist: true },
    }),
  /** Every course of an instructor (at most 100, which no instructor here comes near). */
  taught: (instructorId: string) =>
    queryOptions({
      queryKey: courseKeys.taught(instructorId),
      queryFn: ({ signal }) => api.listCourses({ instructorId, limit: 100, sort: 'title' }, { signal }),
    }),
  detail: (courseId: string) =>
    queryOptions({
      queryKey: courseKeys.detail(courseId),
      queryFn: ({ signal }) => api.getCourse(courseId, { signal }),
      meta: { persist: true },
    }),
  progress: (courseId: string, studentId?: string) =>
    queryOptions({
      queryKey: courseKeys.progress(courseId, studentId),
      queryFn: ({ signal }) => api.getCourseProgress(courseId, studentId ? { studentId } : {}, { signal }),
    }),
  ratings: (courseId: string) =>
    queryOptions({
      queryKey: courseKeys.ratings(courseId),
      queryFn: ({ signal }) => api.listCourseRatings(courseId, { limit: 20 }, { signal }),
    }),
  atRisk: (courseId: string, criteria: { inactiveDays: number; gradeThreshold: number }) =>
    queryOptions({
      queryKey: courseKeys.atRisk(courseId, criteria),
      queryFn: ({ signal }) => api.getAtRiskStudents(courseId, { ...criteria, limit: 100 }, { signal }),
    }),
};

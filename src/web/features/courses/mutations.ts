// Course changes. Enrolling shows the enrolment at once and takes it back, with the reason, when
// the server refuses; edits send the version they started from and surface a lost race as a
// ConflictError for the screen to resolve.
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { CourseDetails } from '../../../sdk';
import type { CreateCourseBody, RateCourseBody, UpdateCourseBody } from '../../../contract/courses';
import { api } from '../../lib/api';
import { ApiError } from '../../lib/errors';
import { assignmentKeys } from '../assignments/queries';
import { dashboardKeys } from '../dashboard/queries';
import { courseKeys, courseQueries } from './queries';

const coursePath = (courseId: string) => `/api/courses/${encodeURIComponent(courseId)}`;

/** What changes for the learner when their enrolments change. */
function invalidateLearnerViews(queryClient: QueryClient, courseId: string) {
  for (const queryKey of [courseKeys.detail(courseId), courseKeys.lists(), dashboardKeys.all, [...assignmentKeys.all, 'mine'], courseKeys.progress(courseId)]) {
    void queryClient.invalidateQueries({ queryKey });
  }
}

/** Why an enrolment was refused, in words that say what to do. */
export function enrolmentRefusal(error: unknown, course: CourseDetails | undefined): string {
  if (!(error instanceof ApiError)) return 'The enrolment did not go through. Please try again.';
  if (error.code === 'PREREQUISITES_NOT_MET') {
    const missing = course?.prerequisites.filter((p) => !p.satisfied).map((p) => p.prerequisite.title) ?? [];
    return missing.length > 0
      ? `You cannot enrol yet: first complete ${missing.join(', ')}.`
      : `You cannot enrol yet: ${error.message}`;
  }
  if (error.code === 'INSTRUCTOR_CANNOT_ENROLL') return 'Instructors cannot enrol in courses.';
  if (error.category === 'network') return 'You appear to be offline, so the enrolment did not go through. Try again when you are back online.';
  return error.message || 'The enrolment did not go through.';
}

export function useEnroll(courseId: string) {
  const queryClient = useQueryClient();
  const key = courseQueries.detail(courseId).queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: () => api.enrollInCourse(courseId),
    onMutate: async () => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      if (previous) {
        queryClient.setQueryData(key, {
          ...previous,
          enrollment: {
            enrollmentId: 'pending',
            enrolledAt: new Date().toISOString(),
            progress: { totalLessons: previous.lessons.length, completedLessons: 0, completionPercentage: 0 },
          },
          statistics: { ...previous.statistics, totalEnrollments: previous.statistics.totalEnrollments + 1 },
        });
      }
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSettled: () => invalidateLearnerViews(queryClient, courseId),
  });
}

export function useLeaveCourse(courseId: string) {
  const queryClient = useQueryClient();
  const key = courseQueries.detail(courseId).queryKey;
  return useMutation({
    mutationFn: () => api.unenrollFromCourse(courseId),
    onMutate: async () => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      if (previous) queryClient.setQueryData(key, { ...previous, enrollment: undefined });
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSettled: () => invalidateLearnerViews(queryClient, courseId),
  });
}

export function useRateCourse(courseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: RateCourseBody) => api.rateCourse(courseId, body),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(courseId) });
      void queryClient.invalidateQueries({ queryKey: courseKeys.ratings(courseId) });
    },
  });
}

export function useCreateCourse() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: CreateCourseBody) => api.createCourse(body),
    onSuccess: (course) => {
      queryClient.setQueryData(courseKeys.detail(course.courseId), course);
      void queryClient.invalidateQueries({ queryKey: courseKeys.lists() });
    },
  });
}

/**
 * Saves a course edit against the version it was read at. `overwrite: true` first reads the newest
 * version, then applies the edit on top of it (the person chose to keep their own changes).
 */
export function useUpdateCourse(courseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: async ({ changes, overwrite = false }: { changes: UpdateCourseBody; overwrite?: boolean }) => {
      if (overwrite) await queryClient.fetchQuery({ ...courseQueries.detail(courseId), staleTime: 0 });
      return api.updateCourse(courseId, changes, { ifMatch: api.etagFor(coursePath(courseId)) });
    },
    onSuccess: (course) => {
      queryClient.setQueryData(courseKeys.detail(courseId), course);
      void queryClient.invalidateQueries({ queryKey: courseKeys.lists() });
    },
  });
}

export function useDeleteCourse(courseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.deleteCourse(courseId),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: courseKeys.detail(courseId) });
      void queryClient.invalidateQueries({ queryKey: courseKeys.lists() });
    },
  });
}

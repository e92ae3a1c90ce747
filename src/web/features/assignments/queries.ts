import { queryOptions } from '@tanstack/react-query';
import type { SubmissionStatus } from '../../../sdk';
import { api } from '../../lib/api';

export interface AssignmentListFilters {
  status?: SubmissionStatus;
  courseId?: string;
  page?: number;
}

export const assignmentKeys = {
  all: ['assignments'] as const,
  /** The caller's list: a student's submissions, or the assignments an instructor manages. */
  mine: (filters: AssignmentListFilters = {}) => [...assignmentKeys.all, 'mine', filters] as const,
  ofCourse: (courseId: string) => [...assignmentKeys.all, 'course', courseId] as const,
  detail: (assignmentId: string) => [...assignmentKeys.all, 'detail', assignmentId] as const,
  feedback: (assignmentId: string, studentId?: string) => [...assignmentKeys.all, 'feedback', assignmentId, studentId ?? 'me'] as const,
  rubric: (assignmentId: string) => [...assignmentKeys.all, 'rubric', assignmentId] as const,
  submissions: (assignmentId: string, status?: SubmissionStatus) => [...assignmentKeys.all, 'submissions', assignmentId, status ?? 'all'] as const,
};

export const assignmentQueries = {
  mine: (filters: AssignmentListFilters = {}) =>
    queryOptions({
      queryKey: assignmentKeys.mine(filters),
      queryFn: ({ signal }) =>
        api.listMyAssignments({ status: filters.status, courseId: filters.courseId, page: filters.page ?? 1, limit: 50, sort: 'dueDate' }, { signal }),
    }),
  ofCourse: (courseId: string) =>
    queryOptions({
      queryKey: assignmentKeys.ofCourse(courseId),
      queryFn: ({ signal }) => api.listCourseAssignments(courseId, {}, { signal }),
    }),
  detail: (assignmentId: string) =>
    queryOptions({
      queryKey: assignmentKeys.detail(assignmentId),
      queryFn: ({ signal }) => api.getAssignment(assignmentId, { signal }),
    }),
  /** null until the work has a submission row the caller may read. */
  feedback: (assignmentId: string, studentId?: string) =>
    queryOptions({
      queryKey: assignmentKeys.feedback(assignmentId, studentId),
      queryFn: async ({ signal }) => {
        try {
          return await api.getAssignmentFeedback(assignmentId, studentId ? { studentId } : {}, { signal });
        } catch (error) {
          if ((error as { code?: string }).code === 'SUBMISSION_NOT_FOUND') return null;
          throw error;
        }
      },
    }),
  /** null when the assignment has no rubric. */
  rubric: (assignmentId: string) =>
    queryOptions({
      queryKey: assignmentKeys.rubric(assignmentId),
      queryFn: async ({ signal }) => {
        try {
          return await api.getAssignmentRubric(assignmentId, { signal });
        } catch (error) {
          if ((error as { code?: string }).code === 'RUBRIC_NOT_FOUND') return null;
          throw error;
        }
      },
    }),
  submissions: (assignmentId: string, status?: SubmissionStatus) =>
    queryOptions({
      queryKey: assignmentKeys.submissions(assignmentId, status),
      queryFn: ({ signal }) => api.listAssignmentSubmissions(assignmentId, { status, limit: 100 }, { signal }),
    }),
};

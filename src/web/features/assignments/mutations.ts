// Assignment changes: uploading and handing in work (shown as handed in at once, taken back if
// refused), authoring with conflict detection, rubrics, and grading.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateAssignmentBody, GradeSubmissionBody, SetRubricBody, UpdateAssignmentBody } from '../../../contract/assignments';
import { api } from '../../lib/api';
import { courseKeys } from '../courses/queries';
import { dashboardKeys } from '../dashboard/queries';
import { gradeKeys } from '../grades/queries';
import { assignmentKeys, assignmentQueries } from './queries';

const assignmentPath = (assignmentId: string) => `/api/assignments/${encodeURIComponent(assignmentId)}`;

/** Sends a file to the server, reporting progress from 0 to 1 as the bytes leave. */
export function useUpload() {
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: ({ file, onProgress }: { file: File; onProgress: (fraction: number) => void }) => api.upload(file, onProgress),
  });
}

export interface Submission {
  submissionContent?: string;
  fileUrl?: string;
  fileName?: string;
}

export function useSubmitAssignment(assignmentId: string) {
  const queryClient = useQueryClient();
  const key = assignmentQueries.detail(assignmentId).queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (submission: Submission) => api.submitAssignment(assignmentId, submission),
    onMutate: async (submission) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      if (previous?.submission) {
        queryClient.setQueryData(key, {
          ...previous,
          submission: {
            ...previous.submission,
            ...submission,
            status: 'submitted',
            submittedAt: new Date().toISOString(),
          },
        });
      }
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSettled: (receipt) => {
      const keys: (readonly unknown[])[] = [key, [...assignmentKeys.all, 'mine'], [...assignmentKeys.all, 'feedback', assignmentId], dashboardKeys.all, gradeKeys.all];
      if (receipt) keys.push(courseKeys.all);
      for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
    },
  });
}

export function useCreateAssignment() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: CreateAssignmentBody) => api.createAssignment(body),
    onSuccess: (assignment) => {
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(assignment.courseId) });
      void queryClient.invalidateQueries({ queryKey: assignmentKeys.ofCourse(assignment.courseId) });
      void queryClient.invalidateQueries({ queryKey: [...assignmentKeys.all, 'mine'] });
    },
  });
}

/** Saves against the version it was read at; `overwrite` re-reads the newest version first. */
export function useUpdateAssignment(assignmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: async ({ changes, overwrite = false }: { changes: UpdateAssignmentBody; overwrite?: boolean }) => {
      if (overwrite) await queryClient.fetchQuery({ ...assignmentQueries.detail(assignmentId), staleTime: 0 });
      return api.updateAssignment(assignmentId, changes, { ifMatch: api.etagFor(assignmentPath(assignmentId)) });
    },
    onSuccess: (assignment) => {
      void queryClient.invalidateQueries({ queryKey: assignmentKeys.detail(assignmentId) });
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(assignment.courseId) });
      void queryClient.invalidateQueries({ queryKey: [...assignmentKeys.all, 'mine'] });
    },
  });
}

export function useDeleteAssignment(assignmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.deleteAssignment(assignmentId),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: assignmentKeys.detail(assignmentId) });
      void queryClient.invalidateQueries({ queryKey: courseKeys.all });
      void queryClient.invalidateQueries({ queryKey: [...assignmentKeys.all, 'mine'] });
    },
  });
}

export function useSetRubric(assignmentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: SetRubricBody) => api.setAssignmentRubric(assignmentId, body),
    onSuccess: (rubric) =>
      queryClient.setQueryData(assignmentQueries.rubric(assignmentId).queryKey, rubric.criteria.length > 0 ? rubric : null),
  });
}

/** Grades one submission; the queue shows it graded at once and takes that back if refused. */
export function useGradeSubmission(assignmentId: string) {
  const queryClient = useQueryClient();
  const listKey = assignmentQueries.submissions(assignmentId).queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: GradeSubmissionBody) => api.gradeSubmission(assignmentId, body),
    onMutate: async (body) => {
      await queryClient.cancelQueries({ queryKey: listKey });
      const previous = queryClient.getQueryData(listKey);
      if (previous) {
        queryClient.setQueryData(listKey, {
          ...previous,
          data: previous.data.map((submission) =>
            submission.submissionId === body.submissionId
              ? { ...submission, status: 'graded' as const, feedback: body.feedback, ...(body.grade !== undefined ? { grade: body.grade } : {}) }
              : submission,
          ),
        });
      }
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(listKey, context.previous);
    },
    onSettled: () => {
      for (const queryKey of [[...assignmentKeys.all, 'submissions', assignmentId], [...assignmentKeys.all, 'mine'], [...assignmentKeys.all, 'feedback', assignmentId], assignmentKeys.detail(assignmentId)]) {
        void queryClient.invalidateQueries({ queryKey });
      }
    },
  });
}

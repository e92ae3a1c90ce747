import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateQuizBody, SubmitAttemptBody, UpdateQuizBody } from '../../../contract/quizzes';
import { api } from '../../lib/api';
import { courseKeys } from '../courses/queries';
import { dashboardKeys } from '../dashboard/queries';
import { gradeKeys } from '../grades/queries';
import { quizKeys } from './queries';

export function useStartAttempt(quizId: string) {
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: () => api.startQuizAttempt(quizId),
  });
}

export function useSubmitAttempt(quizId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: ({ attemptId, answers }: { attemptId: string; answers: SubmitAttemptBody['answers'] }) => api.submitQuizAttempt(quizId, attemptId, { answers }),
    onSettled: () => {
      for (const queryKey of [quizKeys.detail(quizId), quizKeys.results(quizId), dashboardKeys.all, gradeKeys.all, courseKeys.all]) {
        void queryClient.invalidateQueries({ queryKey });
      }
    },
  });
}

export function useCreateQuiz() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: CreateQuizBody) => api.createQuiz(body),
    onSuccess: (quiz) => {
      queryClient.setQueryData(quizKeys.detail(quiz.quizId), quiz);
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(quiz.courseId) });
      void queryClient.invalidateQueries({ queryKey: quizKeys.ofCourse(quiz.courseId) });
    },
  });
}

export function useUpdateQuiz(quizId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: UpdateQuizBody) => api.updateQuiz(quizId, body),
    onSuccess: (quiz) => {
      queryClient.setQueryData(quizKeys.detail(quizId), quiz);
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(quiz.courseId) });
    },
  });
}

export function useDeleteQuiz(quizId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.deleteQuiz(quizId),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: quizKeys.detail(quizId) });
      void queryClient.invalidateQueries({ queryKey: courseKeys.all });
    },
  });
}

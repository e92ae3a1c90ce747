import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/api';

export const quizKeys = {
  all: ['quizzes'] as const,
  detail: (quizId: string) => [...quizKeys.all, 'detail', quizId] as const,
  ofCourse: (courseId: string) => [...quizKeys.all, 'course', courseId] as const,
  results: (quizId: string) => [...quizKeys.all, 'results', quizId] as const,
};

export const quizQueries = {
  detail: (quizId: string) =>
    queryOptions({
      queryKey: quizKeys.detail(quizId),
      queryFn: ({ signal }) => api.getQuiz(quizId, { signal }),
    }),
  ofCourse: (courseId: string) =>
    queryOptions({
      queryKey: quizKeys.ofCourse(courseId),
      queryFn: ({ signal }) => api.listCourseQuizzes(courseId, { limit: 100 }, { signal }),
    }),
  results: (quizId: string) =>
    queryOptions({
      queryKey: quizKeys.results(quizId),
      queryFn: ({ signal }) => api.getQuizResults(quizId, { limit: 100 }, { signal }),
    }),
};

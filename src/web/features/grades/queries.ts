import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/api';

export const gradeKeys = {
  all: ['grades'] as const,
  report: (userId: string) => [...gradeKeys.all, 'report', userId] as const,
};

export const gradeQueries = {
  report: (userId: string) =>
    queryOptions({
      queryKey: gradeKeys.report(userId),
      queryFn: ({ signal }) => api.getGradeReport(userId, { signal }),
    }),
};

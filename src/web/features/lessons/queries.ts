import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/api';

export const lessonKeys = {
  all: ['lessons'] as const,
  list: (courseId: string) => [...lessonKeys.all, 'list', courseId] as const,
  detail: (courseId: string, lessonId: string) => [...lessonKeys.all, 'detail', courseId, lessonId] as const,
  content: (lessonId: string, version?: number) => [...lessonKeys.all, 'content', lessonId, version ?? 'latest'] as const,
  media: (lessonId: string) => [...lessonKeys.all, 'media', lessonId] as const,
};

export const lessonQueries = {
  list: (courseId: string) =>
    queryOptions({
      queryKey: lessonKeys.list(courseId),
      queryFn: ({ signal }) => api.listCourseLessons(courseId, { signal }),
      meta: { persist: true },
    }),
  detail: (courseId: string, lessonId: string) =>
    queryOptions({
      queryKey: lessonKeys.detail(courseId, lessonId),
      queryFn: ({ signal }) => api.getCourseLesson(courseId, lessonId, { signal }),
      meta: { persist: true },
    }),
  /** null when the lesson has no written content yet. */
  content: (lessonId: string, version?: number) =>
    queryOptions({
      queryKey: lessonKeys.content(lessonId, version),
      queryFn: async ({ signal }) => {
        try {
          return await api.getLessonContent(lessonId, version ? { version } : {}, { signal });
        } catch (error) {
          if ((error as { code?: string }).code === 'CONTENT_NOT_FOUND') return null;
          throw error;
        }
      },
      meta: { persist: true },
    }),
  media: (lessonId: string) =>
    queryOptions({
      queryKey: lessonKeys.media(lessonId),
      queryFn: ({ signal }) => api.listLessonMedia(lessonId, { signal }),
    }),
};

// Lesson changes. Completing a lesson shows it done at once and takes that back if the server
// refuses; edits carry the version they started from, like course edits.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateLessonBody, UpdateLessonBody } from '../../../contract/lessons';
import type { SaveLessonContentBody } from '../../../contract/files';
import { api } from '../../lib/api';
import { userMessage } from '../../lib/errors';
import { toast } from '../../ui/toast';
import { courseKeys, courseQueries } from '../courses/queries';
import { dashboardKeys } from '../dashboard/queries';
import { lessonKeys, lessonQueries } from './queries';

const lessonPath = (courseId: string, lessonId: string) =>
  `/api/courses/${encodeURIComponent(courseId)}/lessons/${encodeURIComponent(lessonId)}`;

export function useCompleteLesson(courseId: string, lessonId: string) {
  const queryClient = useQueryClient();
  const lessonKey = lessonQueries.detail(courseId, lessonId).queryKey;
  const courseKey = courseQueries.detail(courseId).queryKey;
  const progressKey = courseQueries.progress(courseId).queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (timeSpent?: number) => api.completeLesson({ lessonId, ...(timeSpent !== undefined ? { timeSpent } : {}) }),
    onMutate: async () => {
      await Promise.all([lessonKey, courseKey, progressKey].map((queryKey) => queryClient.cancelQueries({ queryKey })));
      const previous = {
        lesson: queryClient.getQueryData(lessonKey),
        course: queryClient.getQueryData(courseKey),
        progress: queryClient.getQueryData(progressKey),
      };
      const now = new Date().toISOString();
      if (previous.lesson && !previous.lesson.completedAt) queryClient.setQueryData(lessonKey, { ...previous.lesson, completedAt: now });
      if (previous.course?.enrollment && !previous.lesson?.completedAt) {
        const progress = previous.course.enrollment.progress;
        const completedLessons = Math.min(progress.totalLessons, progress.completedLessons + 1);
        queryClient.setQueryData(courseKey, {
          ...previous.course,
          enrollment: {
            ...previous.course.enrollment,
            progress: { ...progress, completedLessons, completionPercentage: Math.round((completedLessons / Math.max(1, progress.totalLessons)) * 100) },
          },
        });
      }
      if (previous.progress) {
        queryClient.setQueryData(progressKey, {
          ...previous.progress,
          lessons: previous.progress.lessons.map((lesson) => (lesson.lessonId === lessonId && !lesson.completedAt ? { ...lesson, completedAt: now } : lesson)),
        });
      }
      return previous;
    },
    onError: (error, _variables, previous) => {
      if (previous?.lesson) queryClient.setQueryData(lessonKey, previous.lesson);
      if (previous?.course) queryClient.setQueryData(courseKey, previous.course);
      if (previous?.progress) queryClient.setQueryData(progressKey, previous.progress);
      toast.error(`The lesson is not marked complete: ${userMessage(error)}`);
    },
    onSuccess: (completion) => {
      if (completion.alreadyCompleted) return;
      const badges = completion.newAchievements.length ? ` New badge: ${completion.newAchievements.map((b) => b.replace(/_/g, ' ')).join(', ')}.` : '';
      toast.success(`Lesson complete. Your streak: ${completion.currentStreak} day${completion.currentStreak === 1 ? '' : 's'}.${badges}`);
    },
    onSettled: () => {
      for (const queryKey of [lessonKey, courseKey, [...courseKeys.all, 'progress', courseId], lessonKeys.list(courseId), dashboardKeys.all]) {
        void queryClient.invalidateQueries({ queryKey });
      }
    },
  });
}

export function useCreateLesson(courseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: CreateLessonBody) => api.createLesson(courseId, body),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(courseId) });
      void queryClient.invalidateQueries({ queryKey: lessonKeys.list(courseId) });
    },
  });
}

/** Saves against the version it was read at; `overwrite` re-reads the newest version first. */
export function useUpdateLesson(courseId: string, lessonId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: async ({ changes, overwrite = false }: { changes: UpdateLessonBody; overwrite?: boolean }) => {
      if (overwrite) await queryClient.fetchQuery({ ...lessonQueries.detail(courseId, lessonId), staleTime: 0 });
      return api.updateLesson(courseId, lessonId, changes, { ifMatch: api.etagFor(lessonPath(courseId, lessonId)) });
    },
    onSuccess: (lesson) => {
      queryClient.setQueryData(lessonQueries.detail(courseId, lessonId).queryKey, lesson);
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(courseId) });
      void queryClient.invalidateQueries({ queryKey: lessonKeys.list(courseId) });
    },
  });
}

export function useDeleteLesson(courseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (lessonId: string) => api.deleteLesson(courseId, lessonId),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: courseKeys.detail(courseId) });
      void queryClient.invalidateQueries({ queryKey: lessonKeys.list(courseId) });
    },
  });
}

/** Moves lessons at once on screen; the server's order wins when it answers. */
export function useReorderLessons(courseId: string) {
  const queryClient = useQueryClient();
  const listKey = lessonQueries.list(courseId).queryKey;
  return useMutation({
    mutationFn: (lessonIds: string[]) => api.reorderLessons(courseId, lessonIds),
    onMutate: async (lessonIds) => {
      await queryClient.cancelQueries({ queryKey: listKey });
      const previous = queryClient.getQueryData(listKey);
      if (previous) {
        const byId = new Map(previous.map((lesson) => [lesson.lessonId, lesson]));
        queryClient.setQueryData(
          listKey,
          lessonIds.flatMap((id, index) => {
            const lesson = byId.get(id);
            return lesson ? [{ ...lesson, order: index + 1 }] : [];
          }),
        );
      }
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(listKey, context.previous);
    },
    onSuccess: (lessons) => queryClient.setQueryData(listKey, lessons),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: courseKeys.detail(courseId) }),
  });
}

export function useSaveLessonContent(lessonId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: SaveLessonContentBody) => api.saveLessonContent(lessonId, body),
    onSuccess: (content) => {
      queryClient.setQueryData(lessonQueries.content(lessonId).queryKey, content);
      void queryClient.invalidateQueries({ queryKey: [...lessonKeys.all, 'content', lessonId] });
    },
  });
}

export function useUploadLessonMedia(lessonId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: ({ file, onProgress }: { file: File; onProgress: (fraction: number) => void }) => api.uploadLessonMedia(lessonId, file, onProgress),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: lessonKeys.media(lessonId) }),
  });
}

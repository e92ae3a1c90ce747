// What a client sees of a lesson: built here from the row, never the raw row.
import type { Lesson } from '../../../contract/lessons.js';
import type { lessons } from '../../db/schema.js';
import { iso, isoOrNull } from '../users/presenter.js';

type LessonRow = typeof lessons.$inferSelect;

/** `completedAt` is the viewer's own completion, or null. */
export const presentLesson = (lesson: LessonRow, completedAt: Date | null): Lesson => ({
  lessonId: lesson.id,
  courseId: lesson.courseId,
  title: lesson.title,
  description: lesson.description,
  order: lesson.order,
  estimatedTime: lesson.estimatedTime,
  createdAt: iso(lesson.createdAt),
  updatedAt: iso(lesson.updatedAt),
  completedAt: isoOrNull(completedAt),
});

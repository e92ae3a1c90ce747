import { z } from 'zod';
import { IsoDate } from './common.js';

/**
 * One definition of progress everywhere: a course's items are its lessons, assignments and quizzes;
 * a lesson counts when completed, an assignment when submitted or graded, a quiz when taken.
 */
export const CourseProgressSummary = z
  .object({
    totalLessons: z.number().int(),
    completedLessons: z.number().int(),
    totalAssignments: z.number().int(),
    completedAssignments: z.number().int(),
    totalQuizzes: z.number().int(),
    completedQuizzes: z.number().int(),
    completionPercentage: z.number().int().min(0).max(100),
    lastActivity: IsoDate.optional(),
  })
  .meta({ id: 'CourseProgressSummary' });
export type CourseProgressSummary = z.infer<typeof CourseProgressSummary>;

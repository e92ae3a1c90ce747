// The contract's enums as values, for selects and URL parsing (the contract itself is not bundled:
// it carries zod, which the app does not need at run time).
import type { AnalyticsPeriod, CourseCategory, DifficultyLevel, StudyTime, SubmissionStatus, UserRole } from '../../sdk';
import type { CourseSort } from '../../contract/courses';

export const COURSE_CATEGORIES: readonly CourseCategory[] = ['programming', 'design', 'business', 'marketing', 'science', 'language', 'music', 'art', 'other'];
export const DIFFICULTY_LEVELS: readonly DifficultyLevel[] = ['beginner', 'intermediate', 'advanced'];
export const COURSE_SORTS: readonly CourseSort[] = ['newest', 'rating', 'popular', 'title'];
export const STUDY_TIMES: readonly StudyTime[] = ['morning', 'afternoon', 'evening', 'night'];
export const SUBMISSION_STATUSES: readonly SubmissionStatus[] = ['not_started', 'in_progress', 'submitted', 'graded'];
export const USER_ROLES: readonly UserRole[] = ['student', 'instructor', 'admin'];
export const ANALYTICS_PERIODS: readonly AnalyticsPeriod[] = ['week', 'month', 'quarter', 'year'];

export const SORT_LABELS: Record<CourseSort, string> = {
  newest: 'Newest',
  rating: 'Best rated',
  popular: 'Most popular',
  title: 'Title (A–Z)',
};

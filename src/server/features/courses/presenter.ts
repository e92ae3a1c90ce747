// What a client sees of courses and ratings: built here from query rows, never the raw rows.
import type { SubmissionStatus } from '../../../contract/common.js';
import type {
  CourseAssignmentSummary,
  CourseListItem,
  CourseQuizSummary,
  CourseRating,
  CourseRatingItem,
} from '../../../contract/courses.js';
import type { assignments, courseRatings, courses, users } from '../../db/schema.js';
import { iso } from '../users/presenter.js';

type CourseRow = typeof courses.$inferSelect;
type UserRow = typeof users.$inferSelect;
type AssignmentRow = typeof assignments.$inferSelect;
type RatingRow = typeof courseRatings.$inferSelect;

export type InstructorColumns = Pick<UserRow, 'id' | 'firstName' | 'lastName' | 'username' | 'avatarUrl'>;

export interface CourseCounts {
  averageRating: number;
  totalRatings: number;
  totalLessons: number;
  totalEnrollments: number;
}

export const presentInstructor = (user: InstructorColumns) => ({
  id: user.id,
  firstName: user.firstName,
  lastName: user.lastName,
  username: user.username,
  avatarUrl: user.avatarUrl,
});

export function presentCourseListItem(course: CourseRow, instructor: InstructorColumns, counts: CourseCounts): CourseListItem {
  return {
    courseId: course.id,
    title: course.title,
    description: course.description,
    thumbnailUrl: course.thumbnailUrl,
    category: course.category,
    difficultyLevel: course.difficultyLevel,
    instructor: presentInstructor(instructor),
    averageRating: counts.averageRating,
    totalLessons: counts.totalLessons,
    totalEnrollments: counts.totalEnrollments,
    totalRatings: counts.totalRatings,
    createdAt: iso(course.createdAt),
    updatedAt: iso(course.updatedAt),
  };
}

export function presentCourseAssignment(
  assignment: AssignmentRow,
  status: SubmissionStatus | null,
): CourseAssignmentSummary {
  return {
    assignmentId: assignment.id,
    ...(assignment.lessonId ? { lessonId: assignment.lessonId } : {}),
    title: assignment.title,
    description: assignment.description,
    points: assignment.points,
    ...(assignment.dueDate ? { dueDate: iso(assignment.dueDate) } : {}),
    ...(assignment.rubricUrl ? { rubricUrl: assignment.rubricUrl } : {}),
    createdAt: iso(assignment.createdAt),
    status: status ?? 'not_started',
  };
}

export function presentQuiz(
  quiz: { id: string; title: string; description: string | null; timeLimit: number | null },
  totals: { totalQuestions: number; totalPoints: number },
): CourseQuizSummary {
  return {
    quizId: quiz.id,
    title: quiz.title,
    ...(quiz.description ? { description: quiz.description } : {}),
    totalQuestions: totals.totalQuestions,
    totalPoints: totals.totalPoints,
    ...(quiz.timeLimit != null ? { timeLimit: quiz.timeLimit } : {}),
  };
}

/** A rating as the public sees it: the reviewer's name, never their id. */
export function presentRatingItem(rating: RatingRow, student: Pick<UserRow, 'firstName' | 'lastName'>): CourseRatingItem {
  return {
    ratingId: rating.id,
    rating: rating.rating,
    ...(rating.review ? { review: rating.review } : {}),
    student: { firstName: student.firstName, lastName: student.lastName },
    createdAt: iso(rating.createdAt),
  };
}

/** A rating as its author sees it after writing it. */
export function presentRating(rating: RatingRow): CourseRating {
  return {
    ratingId: rating.id,
    courseId: rating.courseId,
    studentId: rating.studentId,
    rating: rating.rating,
    review: rating.review,
    createdAt: iso(rating.createdAt),
    updatedAt: iso(rating.updatedAt),
  };
}

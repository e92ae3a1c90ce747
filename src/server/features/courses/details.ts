// Course details: a fixed number of queries whatever the number of lessons, assignments or quizzes.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { CourseDetails } from '../../../contract/courses.js';
import type { Executor } from '../../db/client.js';
import {
  assignments,
  assignmentSubmissions,
  coursePrerequisites,
  courseRatings,
  courses,
  lessons,
  quizzes,
  users,
} from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { progressForCourse } from '../enrollments/progress.js';
import { iso } from '../users/presenter.js';
import { findActiveEnrollment } from './policy.js';
import { courseCounts, instructorColumns, outerColumn } from './catalogue.js';
import { presentCourseAssignment, presentInstructor, presentQuiz, presentRatingItem } from './presenter.js';

const outerCourseId = outerColumn('courses', 'id');
const outerQuizId = outerColumn('quizzes', 'id');

/** How many ratings the details page shows; the rest are behind GET /courses/:id/ratings. */
export const DETAILS_RATINGS = 20;

async function loadCourseRow(db: Executor, courseId: string) {
  const [row] = await db
    .select({
      course: courses,
      instructor: instructorColumns,
      ...courseCounts,
      totalAssignments: sql<number>`(select count(*)::int from assignments a where a.course_id = ${outerCourseId})`,
      totalQuizzes: sql<number>`(select count(*)::int from quizzes q where q.course_id = ${outerCourseId})`,
    })
    .from(courses)
    .innerJoin(users, eq(users.id, courses.instructorId))
    .where(eq(courses.id, courseId))
    .limit(1);
  if (!row) throw new AppError('COURSE_NOT_FOUND', 'Course not found');
  return row;
}

/** Prerequisites, each with whether the viewer has completed it. */
function loadPrerequisites(db: Executor, courseId: string, viewerId: string | null) {
  const satisfied = viewerId
    ? sql<boolean>`exists (select 1 from course_enrollments e
        where e.course_id = ${outerColumn('course_prerequisites', 'prerequisite_id')} and e.student_id = ${viewerId} and e.completed_at is not null)`
    : sql<boolean>`false`;
  return db
    .select({
      id: coursePrerequisites.id,
      prerequisiteId: coursePrerequisites.prerequisiteId,
      title: courses.title,
      category: courses.category,
      difficultyLevel: courses.difficultyLevel,
      satisfied,
    })
    .from(coursePrerequisites)
    .innerJoin(courses, eq(courses.id, coursePrerequisites.prerequisiteId))
    .where(eq(coursePrerequisites.courseId, courseId))
    .orderBy(asc(coursePrerequisites.createdAt), asc(courses.title));
}

function loadRequiredBy(db: Executor, courseId: string) {
  return db
    .select({ id: coursePrerequisites.id, courseId: coursePrerequisites.courseId, title: courses.title, category: courses.category })
    .from(coursePrerequisites)
    .innerJoin(courses, eq(courses.id, coursePrerequisites.courseId))
    .where(eq(coursePrerequisites.prerequisiteId, courseId))
    .orderBy(asc(coursePrerequisites.createdAt), asc(courses.title));
}

/** Every assignment of the course with the viewer's submission status (null when none). */
function loadAssignments(db: Executor, courseId: string, viewerId: string | null) {
  const viewerSubmission = viewerId
    ? and(eq(assignmentSubmissions.assignmentId, assignments.id), eq(assignmentSubmissions.studentId, viewerId))
    : sql`false`;
  return db
    .select({ assignment: assignments, status: assignmentSubmissions.status })
    .from(assignments)
    .leftJoin(assignmentSubmissions, viewerSubmission)
    .where(eq(assignments.courseId, courseId))
    .orderBy(asc(assignments.createdAt), asc(assignments.id));
}

function loadQuizzes(db: Executor, courseId: string) {
  return db
    .select({
      id: quizzes.id,
      title: quizzes.title,
      description: quizzes.description,
      timeLimit: quizzes.timeLimit,
      totalQuestions: sql<number>`(select count(*)::int from quiz_questions qq where qq.quiz_id = ${outerQuizId})`,
      totalPoints: sql<number>`(select coalesce(sum(qq.points), 0)::int from quiz_questions qq where qq.quiz_id = ${outerQuizId})`,
    })
    .from(quizzes)
    .where(eq(quizzes.courseId, courseId))
    .orderBy(asc(quizzes.createdAt), asc(quizzes.id));
}

/** The newest ratings first; `limit`/`offset` also serve the paginated ratings list. */
export function loadRatings(db: Executor, courseId: string, limit: number, offset = 0) {
  return db
    .select({ rating: courseRatings, student: { firstName: users.firstName, lastName: users.lastName } })
    .from(courseRatings)
    .innerJoin(users, eq(users.id, courseRatings.studentId))
    .where(eq(courseRatings.courseId, courseId))
    .orderBy(desc(courseRatings.createdAt), desc(courseRatings.id))
    .limit(limit)
    .offset(offset);
}

/** The viewer's active enrollment and its progress, through the one shared progress rule. */
async function loadEnrollment(db: Executor, courseId: string, viewerId: string | null) {
  if (!viewerId) return undefined;
  const enrollment = await findActiveEnrollment(db, viewerId, courseId);
  if (!enrollment) return undefined;
  const progress = await progressForCourse(db, viewerId, courseId);
  return {
    enrollmentId: enrollment.id,
    enrolledAt: iso(enrollment.enrolledAt),
    progress: {
      totalLessons: progress.totalLessons,
      completedLessons: progress.completedLessons,
      completionPercentage: progress.completionPercentage,
    },
  };
}

export async function loadCourseDetails(db: Executor, courseId: string, viewerId: string | null): Promise<CourseDetails> {
  const { course, instructor, ...counts } = await loadCourseRow(db, courseId);
  const [prerequisiteRows, requiredByRows, lessonRows, assignmentRows, quizRows, ratingRows, enrollment] = await Promise.all([
    loadPrerequisites(db, courseId, viewerId),
    loadRequiredBy(db, courseId),
    db.select().from(lessons).where(eq(lessons.courseId, courseId)).orderBy(asc(lessons.order)),
    loadAssignments(db, courseId, viewerId),
    loadQuizzes(db, courseId),
    loadRatings(db, courseId, DETAILS_RATINGS),
    loadEnrollment(db, courseId, viewerId),
  ]);

  const courseAssignments = assignmentRows.map((row) => presentCourseAssignment(row.assignment, row.status));
  const assignmentsByLesson = new Map<string, typeof courseAssignments>();
  for (const assignment of courseAssignments) {
    if (!assignment.lessonId) continue;
    const list = assignmentsByLesson.get(assignment.lessonId) ?? [];
    list.push(assignment);
    assignmentsByLesson.set(assignment.lessonId, list);
  }
  const details: CourseDetails = {
    courseId: course.id,
    title: course.title,
    description: course.description,
    thumbnailUrl: course.thumbnailUrl,
    category: course.category,
    difficultyLevel: course.difficultyLevel,
    instructorId: course.instructorId,
    instructor: presentInstructor(instructor),
    createdAt: iso(course.createdAt),
    updatedAt: iso(course.updatedAt),
    prerequisites: prerequisiteRows.map((row) => ({
      id: row.id,
      prerequisiteId: row.prerequisiteId,
      prerequisite: { courseId: row.prerequisiteId, title: row.title, category: row.category, difficultyLevel: row.difficultyLevel },
      satisfied: row.satisfied,
    })),
    requiredBy: requiredByRows.map((row) => ({
      id: row.id,
      courseId: row.courseId,
      course: { courseId: row.courseId, title: row.title, category: row.category },
    })),
    lessons: lessonRows.map((lesson) => ({
      lessonId: lesson.id,
      title: lesson.title,
      description: lesson.description,
      order: lesson.order,
      estimatedTime: lesson.estimatedTime,
      createdAt: iso(lesson.createdAt),
      updatedAt: iso(lesson.updatedAt),
      assignments: (assignmentsByLesson.get(lesson.id) ?? []).map(
        ({ assignmentId, title, description, points, dueDate, status }) => ({
          assignmentId,
          title,
          description,
          points,
          ...(dueDate ? { dueDate } : {}),
          status,
        }),
      ),
    })),
    assignments: courseAssignments,
    quizzes: quizRows.map((quiz) => presentQuiz(quiz, quiz)),
    ratings: ratingRows.map((row) => presentRatingItem(row.rating, row.student)),
    statistics: {
      totalEnrollments: counts.totalEnrollments,
      averageRating: counts.averageRating,
      totalLessons: counts.totalLessons,
      totalAssignments: counts.totalAssignments,
      totalQuizzes: counts.totalQuizzes,
    },
  };
  if (enrollment) details.enrollment = enrollment;
  return details;
}

// A learner's active enrollments as the profile shows them: the course and its instructor, progress
// from the one shared computation, and the lessons completed. Three queries, whatever the count.
import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { CourseEnrollment } from '../../../contract/profile.js';
import { arrayLiteral, type Executor } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { courseEnrollments, courses, lessonCompletions, users } from '../../db/schema.js';
import { progressForCourses } from '../enrollments/progress.js';
import { iso, presentSummary } from './presenter.js';

const instructors = alias(users, 'instructor');

const activeEnrollmentsOf = reusableQuery('profile_enrollments_of_student', (db) =>
  db
    .select({
      enrollmentId: courseEnrollments.id,
      enrolledAt: courseEnrollments.enrolledAt,
      courseId: courses.id,
      title: courses.title,
      category: courses.category,
      difficultyLevel: courses.difficultyLevel,
      thumbnailUrl: courses.thumbnailUrl,
      instructorId: instructors.id,
      instructorFirstName: instructors.firstName,
      instructorLastName: instructors.lastName,
      instructorUsername: instructors.username,
    })
    .from(courseEnrollments)
    .innerJoin(courses, eq(courses.id, courseEnrollments.courseId))
    .innerJoin(instructors, eq(instructors.id, courses.instructorId))
    .where(and(eq(courseEnrollments.studentId, sql.placeholder('studentId')), eq(courseEnrollments.status, 'active')))
    .orderBy(asc(courseEnrollments.enrolledAt), asc(courseEnrollments.id)),
);

const completionsIn = reusableQuery('profile_lesson_completions_of_student', (db) =>
  db
    .select({ courseId: lessonCompletions.courseId, lessonId: lessonCompletions.lessonId, completedAt: lessonCompletions.completedAt })
    .from(lessonCompletions)
    .where(
      and(
        eq(lessonCompletions.studentId, sql.placeholder('studentId')),
        sql`${lessonCompletions.courseId} = any(${sql.placeholder('courseIds')}::uuid[])`,
      ),
    )
    .orderBy(asc(lessonCompletions.completedAt), asc(lessonCompletions.lessonId)),
);

export async function loadEnrollments(db: Executor, studentId: string): Promise<CourseEnrollment[]> {
  const rows = await activeEnrollmentsOf(db, { studentId });
  if (rows.length === 0) return [];

  const courseIds = rows.map((row) => row.courseId);
  const [progress, completions] = await Promise.all([
    progressForCourses(db, studentId, courseIds),
    completionsIn(db, { studentId, courseIds: arrayLiteral(courseIds) }),
  ]);
  const completionsByCourse = new Map<string, CourseEnrollment['lessonCompletions']>();
  for (const row of completions) {
    const list = completionsByCourse.get(row.courseId) ?? [];
    list.push({ lessonId: row.lessonId, completedAt: iso(row.completedAt) });
    completionsByCourse.set(row.courseId, list);
  }

  return rows.map((row) => ({
    enrollmentId: row.enrollmentId,
    courseId: row.courseId,
    enrolledAt: iso(row.enrolledAt),
    course: {
      courseId: row.courseId,
      title: row.title,
      category: row.category,
      difficultyLevel: row.difficultyLevel,
      thumbnailUrl: row.thumbnailUrl,
      instructor: presentSummary({
        id: row.instructorId,
        firstName: row.instructorFirstName,
        lastName: row.instructorLastName,
        username: row.instructorUsername,
      }),
    },
    progress: progress.get(row.courseId)!,
    lessonCompletions: completionsByCourse.get(row.courseId) ?? [],
  }));
}

// The course catalogue: one query for a page of courses with their counts, one for the total.
import { and, asc, desc, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import type { Pagination } from '../../../contract/common.js';
import type { CourseListItem, CourseListQuery, CourseSort } from '../../../contract/courses.js';
import type { Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { courses, users } from '../../db/schema.js';
import { presentCourseListItem } from './presenter.js';

/**
 * The outer row's column, always table-qualified: drizzle leaves the table name out of a
 * single-table select, and an unqualified `"id"` inside a subquery binds to the subquery's own table.
 */
export const outerColumn = (table: string, column: string): SQL =>
  sql`${sql.identifier(table)}.${sql.identifier(column)}`;
const outerCourseId = outerColumn('courses', 'id');

/**
 * Per-course counts as correlated subqueries of the outer `courses` row: each is one indexed
 * lookup, and the page needs no grouping over its joins. Enrollments count only active ones.
 * Ratings and enrollments come from `course_stats`, kept by triggers (migration 0016): a popular
 * course's thousands of rows are not counted again on every request.
 */
export const courseCounts = {
  averageRating: sql<number>`coalesce((select round(s.rating_sum::numeric / nullif(s.rating_count, 0), 1)::float8 from course_stats s where s.course_id = ${outerCourseId}), 0)`,
  totalRatings: sql<number>`coalesce((select s.rating_count from course_stats s where s.course_id = ${outerCourseId}), 0)`,
  totalLessons: sql<number>`(select count(*)::int from lessons l where l.course_id = ${outerCourseId})`,
  totalEnrollments: sql<number>`coalesce((select s.active_enrollments from course_stats s where s.course_id = ${outerCourseId}), 0)`,
};

export const instructorColumns = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  username: users.username,
  avatarUrl: users.avatarUrl,
};

/** `%` and `_` in a search are literal characters, not wildcards. */
export const likePattern = (search: string): string => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function catalogueFilter(query: CourseListQuery): SQL | undefined {
  const conditions: SQL[] = [];
  if (query.category) conditions.push(eq(courses.category, query.category));
  if (query.difficulty) conditions.push(eq(courses.difficultyLevel, query.difficulty));
  if (query.instructorId) conditions.push(eq(courses.instructorId, query.instructorId));
  if (query.search) {
    const pattern = likePattern(query.search);
    conditions.push(or(ilike(courses.title, pattern), ilike(courses.description, pattern))!);
  }
  return conditions.length ? and(...conditions) : undefined;
}

// Every order ends with the id so that pages never overlap or skip a course.
const orderings: Record<CourseSort, SQL[]> = {
  newest: [desc(courses.createdAt), desc(courses.id)],
  rating: [desc(courseCounts.averageRating), desc(courseCounts.totalRatings), desc(courses.createdAt), desc(courses.id)],
  popular: [desc(courseCounts.totalEnrollments), desc(courses.createdAt), desc(courses.id)],
  title: [asc(sql`lower(${courses.title})`), asc(courses.id)],
};

export async function listCourses(
  db: Executor,
  query: CourseListQuery,
): Promise<{ data: CourseListItem[]; pagination: Pagination }> {
  const where = catalogueFilter(query);
  const [rows, [total]] = await Promise.all([
    db
      .select({ course: courses, instructor: instructorColumns, ...courseCounts })
      .from(courses)
      .innerJoin(users, eq(users.id, courses.instructorId))
      .where(where)
      .orderBy(...orderings[query.sort])
      .limit(query.limit)
      .offset(pageOffset(query.page, query.limit)),
    db.select({ count: sql<number>`count(*)::int` }).from(courses).where(where),
  ]);
  return {
    data: rows.map((row) => presentCourseListItem(row.course, row.instructor, row)),
    pagination: pageInfo(query.page, query.limit, total?.count ?? 0),
  };
}

// Course catalogue, creation, details and ratings; editing and deletion live in authoring.ts.
// Knows nothing of HTTP.
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { CourseListQuery, CreateCourseBody, RateCourseBody, UpdateCourseBody } from '../../../contract/courses.js';
import type { Database } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { coursePrerequisites, courseRatings, courses } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { awardBadges } from '../achievements/rules.js';
import { recordActivity } from '../analytics/activity.js';
import { recordAudit } from '../audit/log.js';
import { assertCoursesExist, courseSnapshot, deleteCourse, resolveInstructor, updateCourse } from './authoring.js';
import { listCourses } from './catalogue.js';
import { loadCourseDetails, loadRatings } from './details.js';
import { assertEnrolled, findCourse } from './policy.js';
import { presentRating, presentRatingItem } from './presenter.js';
import type { Precondition } from './versioning.js';

export interface CoursesServiceDeps {
  db: Database;
}

export function createCoursesService({ db }: CoursesServiceDeps) {
  return {
    list: (query: CourseListQuery) => listCourses(db, query),

    details: (courseId: string, viewer: AuthUser | null) => loadCourseDetails(db, courseId, viewer?.id ?? null),

    async create(user: AuthUser, body: CreateCourseBody) {
      const prerequisiteIds = [...new Set(body.prerequisiteIds)];
      const courseId = await db.transaction(async (tx) => {
        const instructorId = await resolveInstructor(tx, user, body.instructorId);
        await assertCoursesExist(tx, prerequisiteIds);
        const [course] = await tx
          .insert(courses)
          .values({
            title: body.title,
            description: body.description,
            thumbnailUrl: body.thumbnailUrl,
            category: body.category,
            difficultyLevel: body.difficultyLevel,
            instructorId,
          })
          .returning();
        if (prerequisiteIds.length) {
          await tx
            .insert(coursePrerequisites)
            .values(prerequisiteIds.map((prerequisiteId) => ({ courseId: course!.id, prerequisiteId })));
        }
        await recordAudit(tx, user, {
          action: 'course.create',
          targetType: 'course',
          targetId: course!.id,
          after: courseSnapshot(course!, prerequisiteIds),
        });
        return course!.id;
      });
      return loadCourseDetails(db, courseId, user.id);
    },

    update: (user: AuthUser, courseId: string, body: UpdateCourseBody, precondition?: Precondition) =>
      updateCourse(db, user, courseId, body, precondition),

    remove: (user: AuthUser, courseId: string) => deleteCourse(db, user, courseId),

    /** First rating creates the row; later ones update it. Only actively enrolled students may rate. */
    async rate(user: AuthUser, courseId: string, body: RateCourseBody) {
      // undefined keeps the current review; null or blank removes it
      const review = body.review === undefined ? undefined : body.review || null;
      return db.transaction(async (tx) => {
        const course = await findCourse(tx, courseId);
        await assertEnrolled(tx, user.id, courseId);
        const [previous] = await tx
          .select({ rating: courseRatings.rating, review: courseRatings.review })
          .from(courseRatings)
          .where(and(eq(courseRatings.studentId, user.id), eq(courseRatings.courseId, courseId)))
          .limit(1)
          .for('update');
        const [row] = await tx
          .insert(courseRatings)
          .values({ courseId, studentId: user.id, rating: body.rating, review: review ?? null })
          .onConflictDoUpdate({
            target: [courseRatings.studentId, courseRatings.courseId],
            set: { rating: body.rating, ...(review !== undefined ? { review } : {}), updatedAt: sql`now()` },
          })
          // xmax is 0 only on a freshly inserted row: it tells a first rating from an update, race-free.
          .returning({ ...getTableColumns(courseRatings), created: sql<boolean>`(xmax = 0)` });
        const { created, ...rating } = row!;
        await recordAudit(tx, user, {
          action: 'course.rate',
          targetType: 'course',
          targetId: courseId,
          before: previous ?? null,
          after: { ratingId: rating.id, rating: rating.rating, review: rating.review },
        });
        await recordActivity(tx, {
          userId: user.id,
          type: 'course_rated',
          title: `Rated ${course.title} ${body.rating}/5`,
          courseId,
          entityId: rating.id,
        });
        await awardBadges(tx, user.id, new Date(), ['reviewed']);
        return { created, rating: presentRating(rating) };
      });
    },

    async ratings(courseId: string, page: number, limit: number) {
      await findCourse(db, courseId);
      const [rows, [total]] = await Promise.all([
        loadRatings(db, courseId, limit, pageOffset(page, limit)),
        db.select({ count: sql<number>`count(*)::int` }).from(courseRatings).where(eq(courseRatings.courseId, courseId)),
      ]);
      return {
        data: rows.map((row) => presentRatingItem(row.rating, row.student)),
        pagination: pageInfo(page, limit, total?.count ?? 0),
      };
    },
  };
}

export type CoursesService = ReturnType<typeof createCoursesService>;

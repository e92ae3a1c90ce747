// Announcements: a course's instructor (or an admin) tells its members something; an admin tells everyone.
// Members are notified and the event reaches them live. Knows nothing of HTTP.
import { and, count, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Announcement, AnnouncementListQuery, CreateAnnouncementBody } from '../../../contract/communication.js';
import type { Database, Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { announcements, courseEnrollments, courses, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { emitEvent } from '../../realtime/events.js';
import { recordAudit } from '../audit/log.js';
import { findActiveEnrollment, findCourse, findManagedCourse, isCourseStaff } from '../courses/policy.js';
import { iso } from '../users/presenter.js';
import { notifyLater } from './notification-queue.js';
import { correspondentColumns, presentCorrespondent } from './presenter.js';
import { excerpt, renderMessageMarkdown } from './text.js';

type AnnouncementRow = typeof announcements.$inferSelect;

const listColumns = {
  announcement: announcements,
  course: { id: courses.id, title: courses.title },
  author: correspondentColumns,
};

function present(row: {
  announcement: AnnouncementRow;
  course: { id: string; title: string } | null;
  author: Parameters<typeof presentCorrespondent>[0] | null;
}): Announcement {
  const { announcement } = row;
  return {
    announcementId: announcement.id,
    courseId: announcement.courseId,
    course: row.course ? { courseId: row.course.id, title: row.course.title } : null,
    title: announcement.title,
    body: announcement.body,
    bodyHtml: renderMessageMarkdown(announcement.body),
    author: row.author ? presentCorrespondent(row.author) : null,
    createdAt: iso(announcement.createdAt),
  };
}

const selectAnnouncements = (db: Executor) =>
  db
    .select(listColumns)
    .from(announcements)
    .leftJoin(courses, eq(courses.id, announcements.courseId))
    .leftJoin(users, eq(users.id, announcements.authorId));

/** What the user may read: platform-wide announcements and those of the courses they teach or attend. */
function visibleTo(user: AuthUser): SQL | undefined {
  if (user.role === 'admin') return undefined;
  return or(
    isNull(announcements.courseId),
    sql`${announcements.courseId} in (select ${courses.id} from ${courses} where ${courses.instructorId} = ${user.id})`,
    sql`${announcements.courseId} in (select ${courseEnrollments.courseId} from ${courseEnrollments}
          where ${courseEnrollments.studentId} = ${user.id} and ${courseEnrollments.status} = 'active')`,
  );
}

export function createAnnouncementsService({ db }: { db: Database }) {
  return {
    async create(user: AuthUser, body: CreateAnnouncementBody): Promise<Announcement> {
      return db.transaction(async (tx) => {
        const courseId = body.courseId ?? null;
        const course = courseId ? await findManagedCourse(tx, user, courseId) : null;
        if (!course && user.role !== 'admin') {
          throw new AppError('FORBIDDEN', 'Only admins can post platform-wide announcements; name the course you teach');
        }
        const [row] = await tx
          .insert(announcements)
          .values({ courseId, authorId: user.id, title: body.title, body: body.body, createdAt: new Date() })
          .returning();
        const announcement = row!;
        await recordAudit(tx, user, {
          action: 'announcement.create',
          targetType: 'announcement',
          targetId: announcement.id,
          after: { courseId, title: announcement.title, bodyLength: announcement.body.length },
        });
        const [created] = await selectAnnouncements(tx).where(eq(announcements.id, announcement.id));
        // Its readers (a course's members, or everyone) are notified once it has committed.
        await notifyLater(tx, {
          recipients: course ? { courseMembers: course.id } : { everyone: true },
          exceptUserId: user.id,
          type: 'announcement_posted',
          title: course ? `${course.title}: ${announcement.title}` : `Announcement: ${announcement.title}`,
          body: excerpt(announcement.body, 280),
          link: course ? `/courses/${course.id}/announcements` : '/announcements',
          data: { announcementId: announcement.id, ...(course ? { courseId: course.id } : {}) },
        });
        await emitEvent(tx, {
          type: 'announcement.posted',
          data: { announcementId: announcement.id, courseId },
          audience: course ? { courseId: course.id } : { everyone: true },
        });
        return present(created!);
      });
    },

    /** Newest first. With `courseId`: that course's only, for its members and admins. */
    async list(user: AuthUser, query: AnnouncementListQuery) {
      let where = visibleTo(user);
      if (query.courseId) {
        const course = await findCourse(db, query.courseId);
        if (!isCourseStaff(user, course) && !(await findActiveEnrollment(db, user.id, course.id))) {
          throw new AppError('FORBIDDEN', "Only the course's members can read its announcements");
        }
        where = eq(announcements.courseId, course.id);
      }
      const [rows, [total]] = await Promise.all([
        selectAnnouncements(db)
          .where(where)
          .orderBy(desc(announcements.createdAt), desc(announcements.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ count: count() }).from(announcements).where(and(where)),
      ]);
      return { data: rows.map(present), pagination: pageInfo(query.page, query.limit, total?.count ?? 0) };
    },
  };
}

// What other features call when something worth telling happens: each emits the spec's domain event to
// the people who may see it and notifies the people concerned (a whole course's or platform's once the
// change has committed: notification-queue.ts), in the caller's transaction.
import { eq, sql } from 'drizzle-orm';
import type { BadgeType } from '../../../contract/common.js';
import type { Executor } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { courses } from '../../db/schema.js';
import { emitEvent } from '../../realtime/events.js';
import { inTransaction, notify } from './notify.js';
import { notifyLater } from './notification-queue.js';
import { excerpt, fullName } from './text.js';

interface AssignmentRef {
  id: string;
  courseId: string;
  title: string;
  points: number;
}

const courseById = reusableQuery('announced_course_by_id', (db) =>
  db
    .select({ id: courses.id, title: courses.title, instructorId: courses.instructorId })
    .from(courses)
    .where(eq(courses.id, sql.placeholder('courseId')))
    .limit(1),
);

async function courseOf(db: Executor, courseId: string) {
  const [course] = await courseById(db, { courseId });
  return course!;
}

/**
 * A student handed in work: the student and the course's staff hear of it; the instructor is notified.
 * The course and the student's name are the submitter's, as it has just read them with the assignment.
 */
export async function announceSubmission(
  db: Executor,
  submission: { id: string; studentId: string; isLate: boolean },
  context: {
    assignment: AssignmentRef;
    course: { id: string; title: string; instructorId: string };
    submitter: { firstName: string; lastName: string };
  },
): Promise<void> {
  const { assignment, course } = context;
  const student = fullName(context.submitter);
  await inTransaction(db, async (tx) => {
    await notify(tx, {
      recipients: { userIds: [course.instructorId] },
      exceptUserId: submission.studentId,
      type: 'assignment_submitted',
      title: `New submission: ${assignment.title}`,
      body: `${student} handed in ${assignment.title} in ${course.title}${submission.isLate ? ', after the due date' : ''}.`,
      link: `/assignments/${assignment.id}/submissions`,
      data: { courseId: course.id, assignmentId: assignment.id, submissionId: submission.id, studentId: submission.studentId },
    });
    await emitEvent(tx, {
      type: 'assignment.submitted',
      data: { assignmentId: assignment.id, studentId: submission.studentId, courseId: course.id },
      audience: { userIds: [submission.studentId], courseId: course.id, staffOnly: true },
    });
  });
}

/** A grade was given: only the student and the course's staff hear of it; the student is notified. */
export async function announceGrade(
  db: Executor,
  submission: { id: string; studentId: string; grade: number | null; feedback: string | null },
  assignment: AssignmentRef,
  regraded: boolean,
): Promise<void> {
  const grade = submission.grade ?? 0;
  await inTransaction(db, async (tx) => {
    const course = await courseOf(tx, assignment.courseId);
    const feedback = submission.feedback ? ` Feedback: ${excerpt(submission.feedback, 200)}` : '';
    await notify(tx, {
      recipients: { userIds: [submission.studentId] },
      type: 'assignment_graded',
      title: `${regraded ? 'Regraded' : 'Graded'}: ${assignment.title}`,
      body: `You scored ${grade}/${assignment.points} on ${assignment.title} in ${course.title}.${feedback}`,
      link: `/assignments/${assignment.id}`,
      data: { courseId: course.id, assignmentId: assignment.id, submissionId: submission.id },
    });
    await emitEvent(tx, {
      type: 'assignment.graded',
      data: { assignmentId: assignment.id, studentId: submission.studentId, courseId: course.id, grade },
      audience: { userIds: [submission.studentId], courseId: course.id, staffOnly: true },
    });
  });
}

/** New badges: the student alone hears of them and is notified of each. */
export async function announceBadges(
  db: Executor,
  studentId: string,
  badges: readonly { badgeType: BadgeType; title: string; description: string }[],
): Promise<void> {
  if (badges.length === 0) return;
  await inTransaction(db, async (tx) => {
    for (const badge of badges) {
      await notify(tx, {
        recipients: { userIds: [studentId] },
        type: 'achievement_earned',
        title: `Badge earned: ${badge.title}`,
        body: badge.description,
        link: '/achievements',
        data: { badgeType: badge.badgeType },
      });
      await emitEvent(tx, { type: 'achievement.earned', data: { studentId, badgeType: badge.badgeType }, audience: { userIds: [studentId] } });
    }
  });
}

const changedFieldNames: Record<string, string> = {
  title: 'title',
  description: 'description',
  thumbnailUrl: 'picture',
  category: 'category',
  difficultyLevel: 'level',
  instructorId: 'instructor',
  prerequisiteIds: 'prerequisites',
};

/**
 * A course's staff changed it: its members hear of it at once; its enrolled students are notified once it
 * has committed (a course may have thousands: see notification-queue.ts).
 */
export async function announceCourseUpdate(
  db: Executor,
  course: { id: string; title: string },
  changes: Record<string, unknown>,
  editorId: string,
): Promise<void> {
  const fields = Object.keys(changes).map((field) => changedFieldNames[field] ?? field);
  if (fields.length === 0) return;
  await inTransaction(db, async (tx) => {
    await emitEvent(tx, { type: 'course.updated', data: { courseId: course.id, changes }, audience: { courseId: course.id } });
    await notifyLater(tx, {
      recipients: { courseStudents: course.id },
      exceptUserId: editorId,
      type: 'course_updated',
      title: `${course.title} was updated`,
      body: `Changed: ${fields.join(', ')}.`,
      link: `/courses/${course.id}`,
      data: { courseId: course.id },
    });
  });
}

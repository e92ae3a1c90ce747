// Turns the simulated history into table rows: enrolments, completions, study sessions, submissions
// in every status (with grades and feedback), quiz attempts, ratings, the timeline and streaks.
import { randomUUID } from 'node:crypto';
import { advanceStreak, type StreakState } from '../features/analytics/streaks.js';
import { type Calendar, HOUR, MINUTE, type Random } from './seed-catalogue.js';
import { feedbackByBand, fileExtensions, reviewsByMood, submissionTemplates } from './seed-content.js';
import type { Enrolment, LessonDone, StudentPlan } from './seed-history.js';
import type {
  activities,
  assignmentSubmissions,
  courseEnrollments,
  courseRatings,
  lessonCompletions,
  quizSubmissions,
  studySessions,
} from './schema.js';

type ActivityInsert = typeof activities.$inferInsert;
type SubmissionInsert = typeof assignmentSubmissions.$inferInsert;
type StudySessionInsert = typeof studySessions.$inferInsert;

export interface HistoryRows {
  enrollments: (typeof courseEnrollments.$inferInsert)[];
  lessonCompletions: (typeof lessonCompletions.$inferInsert)[];
  studySessions: StudySessionInsert[];
  submissions: SubmissionInsert[];
  quizSubmissions: (typeof quizSubmissions.$inferInsert)[];
  ratings: (typeof courseRatings.$inferInsert)[];
  activities: ActivityInsert[];
}

/** Lessons of one course within half an hour of each other form one study session. */
const SESSION_GAP = 30 * MINUTE;
const ratingWeights = { completed: [2, 4, 12, 32, 50], started: [4, 8, 20, 35, 33] };

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export function recordHistory(rng: Random, calendar: Calendar, students: StudentPlan[]): HistoryRows {
  const rows: HistoryRows = {
    enrollments: [],
    lessonCompletions: [],
    studySessions: [],
    submissions: [],
    quizSubmissions: [],
    ratings: [],
    activities: [],
  };
  for (const student of students) {
    const userId = student.user.id;
    const activity = (type: ActivityInsert['type'], title: string, at: Date, courseId: string, entityId: string | null) =>
      rows.activities.push({ id: randomUUID(), userId, type, title, courseId, entityId, createdAt: at });
    let streak: StreakState = { currentStreak: 0, longestStreak: 0, lastLearned: null };
    const learned = student.enrolments.flatMap((e) => e.lessons.map((l) => l.completedAt)).sort((a, b) => a.getTime() - b.getTime());
    for (const at of learned) streak = advanceStreak(streak, at);
    Object.assign(student.user, streak);

    for (const enrolment of student.enrolments) {
      const { course } = enrolment;
      const courseId = course.id;
      const enrolledAt = enrolment.enrolledAt!;
      rows.enrollments.push({ id: enrolment.id, studentId: userId, courseId, status: 'active', enrolledAt, completedAt: enrolment.completedAt });
      activity('course_enrolled', `Enrolled in ${course.seed.title}`, enrolledAt, courseId, courseId);

      for (const done of enrolment.lessons) {
        rows.lessonCompletions.push({
          id: randomUUID(),
          studentId: userId,
          lessonId: done.lesson.id,
          courseId,
          completedAt: done.completedAt,
          timeSpent: done.timeSpent,
        });
        activity('lesson_completed', `Completed ${done.lesson.title}`, done.completedAt, courseId, done.lesson.id);
      }
      rows.studySessions.push(...sessionsOf(userId, courseId, enrolment.lessons));

      for (const assignment of course.assignments) {
        const row = submissionRow(rng, calendar, student, enrolment, assignment.id);
        rows.submissions.push(row);
        if (row.submittedAt) {
          activity('assignment_submitted', `Submitted ${assignment.title}`, row.submittedAt, courseId, assignment.id);
        }
        if (row.status === 'graded') {
          activity('assignment_graded', `${assignment.title} graded: ${row.grade}/${assignment.points}`, row.gradedAt!, courseId, assignment.id);
        }
      }

      for (const attempt of enrolment.quizAttempts) {
        rows.quizSubmissions.push({
          id: randomUUID(),
          quizId: attempt.quiz.id,
          studentId: userId,
          courseId,
          attemptNumber: attempt.attemptNumber,
          status: 'submitted',
          startedAt: attempt.startedAt,
          submittedAt: attempt.submittedAt,
          score: attempt.score,
          totalPoints: attempt.quiz.totalPoints,
          answers: attempt.answers,
        });
        activity('quiz_completed', `Completed ${attempt.quiz.title}`, attempt.submittedAt, courseId, attempt.quiz.id);
      }

      if (enrolment.completedAt) activity('course_completed', `Completed ${course.seed.title}`, enrolment.completedAt, courseId, courseId);

      const rating = ratingOf(rng, calendar, enrolment);
      if (rating) {
        const id = randomUUID();
        rows.ratings.push({ id, courseId, studentId: userId, ...rating, updatedAt: rating.createdAt });
        activity('course_rated', `Rated ${course.seed.title} ${rating.rating}/5`, rating.createdAt, courseId, id);
      }
    }
  }
  return rows;
}

function sessionsOf(userId: string, courseId: string, lessons: LessonDone[]): StudySessionInsert[] {
  const sessions: (StudySessionInsert & { startTime: Date; endTime: Date; duration: number; lessonsCovered: string[] })[] = [];
  for (const done of lessons) {
    const start = new Date(done.completedAt.getTime() - done.timeSpent * MINUTE);
    const current = sessions[sessions.length - 1];
    if (current && start.getTime() - current.endTime.getTime() <= SESSION_GAP) {
      current.endTime = done.completedAt;
      current.duration += done.timeSpent;
      current.lessonsCovered.push(done.lesson.id);
    } else {
      sessions.push({
        id: randomUUID(),
        userId,
        courseId,
        startTime: start,
        endTime: done.completedAt,
        duration: done.timeSpent,
        lessonsCovered: [done.lesson.id],
      });
    }
  }
  return sessions;
}

function submissionRow(rng: Random, calendar: Calendar, student: StudentPlan, enrolment: Enrolment, assignmentId: string): SubmissionInsert {
  const assignment = enrolment.course.assignments.find((a) => a.id === assignmentId)!;
  const work = enrolment.assignmentWork.get(assignmentId);
  const enrolledAt = enrolment.enrolledAt!;
  const base = {
    id: randomUUID(),
    studentId: student.user.id,
    assignmentId,
    courseId: enrolment.course.id,
    assignedAt: enrolledAt,
    dueDate: assignment.dueDate,
  };
  if (!work) return { ...base, status: 'not_started', updatedAt: enrolledAt };
  if (!work.submittedAt) return { ...base, status: 'in_progress', startedAt: work.startedAt, updatedAt: work.startedAt };

  const submittedAt = work.submittedAt;
  const withFile = rng.chance(0.45);
  const extension = rng.pick(fileExtensions);
  const submitted: SubmissionInsert = {
    ...base,
    status: 'submitted',
    startedAt: work.startedAt,
    endedAt: submittedAt,
    submittedAt,
    submissionContent: rng.pick(submissionTemplates).replace('{title}', assignment.title),
    fileUrl: withFile ? `/uploads/demo/${slug(assignment.title)}-${student.user.username}.${extension}` : null,
    fileName: withFile ? `${slug(assignment.title)}.${extension}` : null,
    isLate: submittedAt.getTime() > assignment.dueDate.getTime(),
    updatedAt: submittedAt,
  };
  const gradedAt = new Date(submittedAt.getTime() + rng.int(18, 96) * HOUR);
  // Recent work often still waits for the instructor.
  if (gradedAt.getTime() >= calendar.today || !rng.chance(0.85)) return submitted;
  let percent = Math.min(100, Math.max(35, student.skill * 100 + rng.gaussian() * 9));
  if (percent >= 97) percent = 100;
  const grade = Math.min(assignment.points, Math.round(((assignment.points * percent) / 100) * 2) / 2);
  const band = percent >= 90 ? 'excellent' : percent >= 75 ? 'good' : percent >= 60 ? 'fair' : 'weak';
  return {
    ...submitted,
    status: 'graded',
    grade,
    feedback: rng.pick(feedbackByBand[band]),
    gradedAt,
    gradedBy: enrolment.course.instructorId,
    updatedAt: gradedAt,
  };
}

function ratingOf(rng: Random, calendar: Calendar, enrolment: Enrolment) {
  if (enrolment.lessons.length === 0) return null;
  const completed = enrolment.completedAt !== null;
  if (!rng.chance(completed ? 0.75 : 0.3)) return null;
  const weights = completed ? ratingWeights.completed : ratingWeights.started;
  const rating = rng.weighted([1, 2, 3, 4, 5], (stars) => weights[stars - 1]!);
  const mood = rating >= 4 ? 'positive' : rating === 3 ? 'neutral' : 'negative';
  const lastLesson = enrolment.lessons[enrolment.lessons.length - 1]!.completedAt;
  const after = enrolment.completedAt ?? lastLesson;
  return {
    rating,
    review: rng.chance(0.85) ? rng.pick(reviewsByMood[mood]) : null,
    createdAt: calendar.cap(new Date(after.getTime() + rng.int(1, 36) * HOUR)),
  };
}

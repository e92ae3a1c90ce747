// The demo students and what they did over the past eight weeks, simulated day by day: enrolments
// (prerequisites completed first), lessons in order, assignments and quizzes after the lessons they
// follow. Everything else (sessions, grades, ratings, streaks, the timeline) is derived from that.
import { randomUUID } from 'node:crypto';
import {
  type AssignmentPlan,
  type Calendar,
  type CoursePlan,
  type LessonPlan,
  type QuizPlan,
  type Random,
  type StudyTime,
  type UserInsert,
  HOUR,
  MINUTE,
  correctAnswerOf,
  emailOf,
  usernameOf,
} from './seed-catalogue.js';
import { DEMO_EMAIL_DOMAIN, type PersonSeed, type QuestionSeed, studentPeople } from './seed-content.js';

/** The history window: completions happen within these many days before today. */
export const HISTORY_DAYS = 56;
const MAX_ENROLMENTS = 25;
const MIN_ENROLMENTS = 6;
const MIN_STUDENTS_PER_COURSE = 3;
/** Students given each prerequisite chain up front. */
const TRACK_STUDENTS = 4;

type Outcome = 'complete' | 'partial' | 'fresh';

export interface LessonDone {
  lesson: LessonPlan;
  completedAt: Date;
  timeSpent: number;
}

export interface AssignmentWork {
  assignment: AssignmentPlan;
  startedAt: Date;
  /** null while the student is still working on it. */
  submittedAt: Date | null;
}

export interface QuizAttempt {
  quiz: QuizPlan;
  attemptNumber: number;
  startedAt: Date;
  submittedAt: Date;
  score: number;
  answers: Record<string, unknown>;
}

type Task = { kind: 'assignment'; assignment: AssignmentPlan } | { kind: 'quiz'; quiz: QuizPlan };

export interface Enrolment {
  id: string;
  course: CoursePlan;
  outcome: Outcome;
  /** Another of the student's courses requires this one. */
  needed: boolean;
  targetLessons: number;
  /** For enrolments that never progress: the day (days ago) the student signs up. */
  wantedDay: number;
  enrolledAt: Date | null;
  completedAt: Date | null;
  lessons: LessonDone[];
  pending: { task: Task; readyDay: number; readyAt: Date }[];
  assignmentWork: Map<string, AssignmentWork>;
  quizAttempts: QuizAttempt[];
}

export interface StudentPlan {
  user: UserInsert & { id: string };
  skill: number;
  enrolments: Enrolment[];
}

interface Learner {
  plan: StudentPlan;
  studyChance: number;
  /** Learns on every one of the last `forcedDays` + 1 days (today counts as day 0). */
  forcedDays: number;
  startDay: number;
  lastDay: number;
  pace: number;
  maxActive: number;
  baseMinute: number;
  favourites: string[];
  /** Share of the courses without dependants that the student means to finish. */
  completeShare: number;
  /** How many courses the student means to take. */
  target: number;
}

const baseMinuteOf: Record<StudyTime, number> = { morning: 7 * 60, afternoon: 13 * 60, evening: 18 * 60, night: 20 * 60 + 30 };
const CATEGORIES = ['programming', 'design', 'business', 'marketing', 'science', 'language', 'music', 'art', 'other'];

export function simulateStudents(rng: Random, calendar: Calendar, courses: CoursePlan[], studentPasswordHash: string): StudentPlan[] {
  const learners = studentPeople.map((person, index) => createLearner(rng, calendar, person, index, studentPasswordHash));
  const tracks = assignTracks(rng, learners, courses);
  for (const learner of learners) {
    learner.plan.enrolments = chooseCourses(rng, learner, courses, tracks.get(learner) ?? new Set());
    simulate(rng, calendar, learner);
  }
  fillCoverage(rng, calendar, learners, courses);
  return learners.map((learner) => learner.plan);
}

function createLearner(rng: Random, calendar: Calendar, person: PersonSeed, index: number, passwordHash: string): Learner {
  const demo = index === 0;
  // The second student keeps a month-long streak, so that every badge has an earner.
  const devoted = index === 1;
  const preferredStudyTime: StudyTime = demo ? 'evening' : rng.pick(['morning', 'afternoon', 'evening', 'night']);
  const startDay = demo ? HISTORY_DAYS : devoted ? 50 : rng.int(14, HISTORY_DAYS);
  const createdAt = calendar.at(HISTORY_DAYS + rng.int(1, 60), rng.int(8 * 60, 22 * 60));
  return {
    plan: {
      user: {
        id: randomUUID(),
        firstName: person.firstName,
        lastName: person.lastName,
        email: demo ? `student@${DEMO_EMAIL_DOMAIN}` : emailOf(person),
        username: usernameOf(person),
        passwordHash,
        role: 'student',
        preferredStudyTime,
        weeklyLearningGoal: demo ? 300 : rng.pick([120, 180, 240, 300, 300, 420, 600]),
        notificationPreference: demo || rng.chance(0.8),
        createdAt,
        updatedAt: createdAt,
      },
      skill: demo ? 0.88 : devoted ? 0.93 : rng.between(0.55, 0.97),
      enrolments: [],
    },
    studyChance: demo ? 0.75 : devoted ? 0.9 : rng.between(0.25, 0.85),
    forcedDays: demo ? 8 : devoted ? 34 : -1,
    startDay,
    lastDay: demo ? 0 : 1,
    pace: demo || devoted ? 3 : rng.int(1, 3),
    maxActive: demo ? 3 : rng.int(2, 4),
    baseMinute: baseMinuteOf[preferredStudyTime],
    favourites: demo ? ['programming', 'design'] : [rng.pick(CATEGORIES), rng.pick(CATEGORIES)],
    completeShare: demo ? 0.2 : rng.between(0.3, 0.5),
    target: demo ? 14 : devoted ? 20 : MIN_ENROLMENTS + Math.floor(rng.next() ** 1.6 * (MAX_ENROLMENTS - MIN_ENROLMENTS + 1)),
  };
}

const closure = (course: CoursePlan): CoursePlan[] => [...course.prerequisites.flatMap(closure), course];

/**
 * Courses with prerequisites need students who finished the chain first: a few learners with time
 * enough (an early start and a steady habit) are given each chain up front.
 */
function assignTracks(rng: Random, learners: Learner[], courses: CoursePlan[]): Map<Learner, Set<CoursePlan>> {
  const tracks = new Map<Learner, Set<CoursePlan>>();
  const chained = courses.filter((c) => c.depth > 0).sort((a, b) => b.depth - a.depth);
  for (const course of chained) {
    let holders = [...tracks.values()].filter((set) => set.has(course)).length;
    for (const learner of rng.shuffle(learners)) {
      if (holders >= TRACK_STUDENTS) break;
      const track = tracks.get(learner) ?? new Set<CoursePlan>();
      const added = closure(course).filter((c) => !track.has(c));
      if (added.length === 0 || track.size + added.length > Math.min(learner.target, 8)) continue;
      added.forEach((c) => track.add(c));
      tracks.set(learner, track);
      learner.startDay = Math.max(learner.startDay, Math.min(HISTORY_DAYS, 36 + 10 * course.depth));
      learner.studyChance = Math.max(learner.studyChance, 0.6 + 0.1 * course.depth);
      learner.pace = Math.max(learner.pace, 2);
      holders++;
    }
  }
  return tracks;
}

function chooseCourses(rng: Random, learner: Learner, courses: CoursePlan[], track: Set<CoursePlan>): Enrolment[] {
  const levelWeight = { beginner: 3, intermediate: 2, advanced: 1.5 };
  const chosen = new Set<CoursePlan>(track);
  for (let attempt = 0; attempt < 300 && chosen.size < learner.target; attempt++) {
    const pick = rng.weighted(courses, (c) => levelWeight[c.seed.level] * (learner.favourites.includes(c.seed.category) ? 3 : 1));
    const added = closure(pick).filter((c) => !chosen.has(c));
    if (chosen.size + added.length <= learner.target) added.forEach((c) => chosen.add(c));
  }
  const needed = new Set([...chosen].flatMap((c) => c.prerequisites));
  const enrolments = [...chosen].map((course): Enrolment => {
    const roll = rng.next();
    const outcome: Outcome = needed.has(course) ? 'complete' : roll < learner.completeShare ? 'complete' : roll > 0.85 ? 'fresh' : 'partial';
    return newEnrolment(course, outcome, rng.int(1, learner.startDay), rng, needed.has(course));
  });
  // Prerequisites first; among equals, courses that others depend on come first.
  return enrolments.sort((a, b) => a.course.depth - b.course.depth || Number(b.needed) - Number(a.needed));
}

function newEnrolment(course: CoursePlan, outcome: Outcome, wantedDay: number, rng: Random, needed = false): Enrolment {
  const lessonCount = course.lessons.length;
  return {
    id: randomUUID(),
    course,
    outcome,
    needed,
    targetLessons: outcome === 'complete' ? lessonCount : outcome === 'partial' ? rng.int(1, lessonCount - 1) : 0,
    wantedDay,
    enrolledAt: null,
    completedAt: null,
    lessons: [],
    pending: [],
    assignmentWork: new Map(),
    quizAttempts: [],
  };
}

/** The day (days ago) after which the student may enrol: every prerequisite completed strictly before it. */
function readyAfter(calendar: Calendar, learner: Learner, course: CoursePlan): number | null {
  let day = learner.startDay + 1;
  for (const prerequisite of course.prerequisites) {
    const done = learner.plan.enrolments.find((e) => e.course === prerequisite)?.completedAt;
    if (!done) return null;
    day = Math.min(day, calendar.daysAgo(done));
  }
  return day;
}

const isActive = (e: Enrolment) => e.enrolledAt !== null && e.outcome !== 'fresh' && (e.lessons.length < e.targetLessons || e.pending.length > 0);

function simulate(rng: Random, calendar: Calendar, learner: Learner): void {
  for (let day = learner.startDay; day >= learner.lastDay; day--) {
    enrolDue(rng, calendar, learner, day);
    if (day > learner.forcedDays && !rng.chance(learner.studyChance)) continue;
    let minute = learner.baseMinute + rng.int(0, 45);
    if (day <= learner.forcedDays) ensureLessonWork(rng, calendar, learner, day);
    // Today (only the demo student learns today) holds a single lesson, finished just before now.
    const lessonsToday = day === 0 ? 1 : rng.int(1, learner.pace);
    let current: Enrolment | undefined;
    for (let n = 0; n < lessonsToday && minute < 22 * 60; n++) {
      const open = learner.plan.enrolments.filter((e) => e.enrolledAt && e.lessons.length < e.targetLessons);
      if (open.length === 0) break;
      // Courses that unlock others get most attention: that is why the student took them.
      current = current && open.includes(current) && rng.chance(0.7) ? current : rng.weighted(open, (e) => (e.needed ? 6 : 1));
      minute = doLesson(rng, calendar, learner, current, day, minute);
    }
    if (day === 0) continue;
    // Then the assignments and quizzes waiting since earlier lessons.
    for (const enrolment of learner.plan.enrolments) {
      for (const item of enrolment.pending.filter((p) => p.readyDay >= day)) {
        if (minute >= 23 * 60) break;
        minute = doTask(rng, calendar, learner, enrolment, item, day, minute);
      }
    }
  }
  // Courses never started for lack of time: enrol without progress if the prerequisites allow it.
  for (const enrolment of learner.plan.enrolments.filter((e) => !e.enrolledAt)) {
    const after = readyAfter(calendar, learner, enrolment.course);
    if (after === null || after - 1 < 1) continue;
    enrolment.outcome = 'fresh';
    enrolment.targetLessons = 0;
    enrol(rng, calendar, learner, enrolment, rng.int(1, after - 1));
  }
  learner.plan.enrolments = learner.plan.enrolments.filter((e) => e.enrolledAt);
  // Some students open an assignment early and leave it half done.
  for (const enrolment of learner.plan.enrolments.filter((e) => !e.completedAt)) {
    for (const assignment of enrolment.course.assignments) {
      if (enrolment.assignmentWork.has(assignment.id) || !rng.chance(0.12)) continue;
      const startedAt = calendar.cap(new Date(enrolment.enrolledAt!.getTime() + rng.int(1, 72) * HOUR));
      enrolment.assignmentWork.set(assignment.id, { assignment, startedAt, submittedAt: null });
    }
  }
}

function enrol(rng: Random, calendar: Calendar, learner: Learner, enrolment: Enrolment, day: number): void {
  enrolment.enrolledAt = calendar.at(day, learner.baseMinute - rng.int(10, 90));
}

function enrolDue(rng: Random, calendar: Calendar, learner: Learner, day: number): void {
  let active = learner.plan.enrolments.filter(isActive).length;
  for (const enrolment of learner.plan.enrolments) {
    if (enrolment.enrolledAt) continue;
    const after = readyAfter(calendar, learner, enrolment.course);
    if (after === null || day >= after) continue;
    if (enrolment.outcome === 'fresh') {
      if (day <= enrolment.wantedDay) enrol(rng, calendar, learner, enrolment, day);
    } else if (active < learner.maxActive) {
      enrol(rng, calendar, learner, enrolment, day);
      active++;
    }
  }
}

/** On a day the student must learn, make sure some lesson is left to do: stretch a course, or start one. */
function ensureLessonWork(rng: Random, calendar: Calendar, learner: Learner, day: number): void {
  const enrolments = learner.plan.enrolments;
  if (enrolments.some((e) => e.enrolledAt && e.lessons.length < e.targetLessons)) return;
  const stretch =
    enrolments.find((e) => e.enrolledAt && e.outcome === 'partial' && e.targetLessons < e.course.lessons.length) ??
    enrolments.find((e) => e.enrolledAt && e.outcome === 'fresh') ??
    enrolments.find((e) => !e.enrolledAt && (readyAfter(calendar, learner, e.course) ?? 0) > day);
  if (!stretch) return;
  if (!stretch.enrolledAt) enrol(rng, calendar, learner, stretch, day);
  if (stretch.outcome === 'fresh') stretch.outcome = 'partial';
  stretch.targetLessons = Math.max(stretch.targetLessons, stretch.lessons.length) + 1;
}

function doLesson(rng: Random, calendar: Calendar, learner: Learner, enrolment: Enrolment, day: number, minute: number): number {
  const lesson = enrolment.course.lessons[enrolment.lessons.length]!;
  const timeSpent = Math.max(5, Math.round(lesson.estimatedTime * rng.between(0.75, 1.3)));
  const completedAt = calendar.at(day, minute + timeSpent);
  enrolment.lessons.push({ lesson, completedAt, timeSpent });
  const { assignments, quizzes } = enrolment.course;
  const tasks: Task[] = [
    ...assignments.filter((a) => a.afterLesson === lesson.order).map((assignment) => ({ kind: 'assignment' as const, assignment })),
    ...quizzes.filter((q) => q.afterLesson === lesson.order).map((quiz) => ({ kind: 'quiz' as const, quiz })),
  ];
  for (const task of tasks) enrolment.pending.push({ task, readyDay: Math.max(1, day - rng.int(0, 2)), readyAt: completedAt });
  markCompleted(enrolment);
  return minute + timeSpent + rng.int(3, 20);
}

function doTask(
  rng: Random,
  calendar: Calendar,
  learner: Learner,
  enrolment: Enrolment,
  item: Enrolment['pending'][number],
  day: number,
  minute: number,
): number {
  enrolment.pending = enrolment.pending.filter((p) => p !== item);
  // Students who will not finish a course leave some of its work undone.
  const abandon = enrolment.outcome !== 'complete' && rng.chance(0.3);
  if (item.task.kind === 'assignment') {
    const startedAt = calendar.cap(new Date(item.readyAt.getTime() + rng.int(5, 90) * MINUTE));
    if (abandon) {
      if (rng.chance(0.75)) enrolment.assignmentWork.set(item.task.assignment.id, { assignment: item.task.assignment, startedAt, submittedAt: null });
      return minute;
    }
    const took = rng.int(20, 60);
    const submittedAt = calendar.at(day, minute + took);
    enrolment.assignmentWork.set(item.task.assignment.id, {
      assignment: item.task.assignment,
      startedAt: startedAt < submittedAt ? startedAt : new Date(submittedAt.getTime() - took * MINUTE),
      submittedAt,
    });
    markCompleted(enrolment);
    return minute + took + rng.int(5, 15);
  }
  if (abandon) return minute;
  const quiz = item.task.quiz;
  let skill = learner.plan.skill;
  for (let attemptNumber = 1; ; attemptNumber++) {
    const took = Math.min(quiz.timeLimit ?? 25, rng.int(4, 20));
    const attempt = answerQuiz(rng, quiz, skill);
    enrolment.quizAttempts.push({
      quiz,
      attemptNumber,
      startedAt: calendar.at(day, minute),
      submittedAt: calendar.at(day, minute + took),
      ...attempt,
    });
    minute += took + rng.int(5, 15);
    const passed = (attempt.score / quiz.totalPoints) * 100 >= quiz.passingScore;
    const allowed = quiz.attemptsAllowed ?? 3;
    if (passed || attemptNumber >= allowed || !rng.chance(0.6)) break;
    skill = Math.min(0.99, skill + 0.1);
  }
  markCompleted(enrolment);
  return minute;
}

function wrongAnswer(question: QuestionSeed): string | number | boolean | string[] {
  switch (question.type) {
    case 'single_choice':
      return question.options[(question.answer + 1) % question.options.length]!;
    case 'multiple_choice':
      return question.options.filter((_, i) => question.answer.includes(i) !== (i === 0));
    case 'true_false':
      return !question.answer;
    case 'short_answer':
      return 'not sure';
    case 'numeric':
      return Math.round((question.answer + Math.max(1, (question.tolerance ?? 0) * 3, Math.abs(question.answer) * 0.2)) * 100) / 100;
  }
}

function answerQuiz(rng: Random, quiz: QuizPlan, skill: number) {
  const answers: Record<string, unknown> = {};
  let score = 0;
  for (const question of quiz.questions) {
    const right = rng.chance(skill);
    answers[question.id] = right ? correctAnswerOf(question.seed) : wrongAnswer(question.seed);
    if (right) score += question.points;
  }
  return { answers, score };
}

/** Same rule as enrollments/progress.ts: every lesson completed, assignment submitted and quiz taken. */
function markCompleted(enrolment: Enrolment): void {
  const { course } = enrolment;
  if (enrolment.completedAt || enrolment.lessons.length < course.lessons.length) return;
  const submitted = course.assignments.map((a) => enrolment.assignmentWork.get(a.id)?.submittedAt);
  const taken = course.quizzes.map((q) => enrolment.quizAttempts.find((a) => a.quiz === q)?.submittedAt);
  const finishes = [...submitted, ...taken, enrolment.lessons[enrolment.lessons.length - 1]!.completedAt];
  if (finishes.some((at) => !at)) return;
  enrolment.completedAt = new Date(Math.max(...finishes.map((at) => at!.getTime())));
}

/** Every course gets a few students, every student at least six courses: added as enrolments without progress. */
function fillCoverage(rng: Random, calendar: Calendar, learners: Learner[], courses: CoursePlan[]): void {
  const tryEnrol = (learner: Learner, course: CoursePlan): boolean => {
    const enrolments = learner.plan.enrolments;
    if (enrolments.length >= MAX_ENROLMENTS || enrolments.some((e) => e.course === course)) return false;
    const after = readyAfter(calendar, learner, course);
    if (after === null || after - 1 < 1) return false;
    const enrolment = newEnrolment(course, 'fresh', 0, rng);
    enrol(rng, calendar, learner, enrolment, rng.int(1, Math.min(after - 1, 21)));
    enrolments.push(enrolment);
    return true;
  };
  for (const course of courses) {
    let count = learners.filter((l) => l.plan.enrolments.some((e) => e.course === course)).length;
    for (const learner of rng.shuffle(learners)) {
      if (count >= MIN_STUDENTS_PER_COURSE) break;
      if (tryEnrol(learner, course)) count++;
    }
  }
  for (const learner of learners) {
    for (const course of rng.shuffle(courses.filter((c) => c.prerequisites.length === 0))) {
      if (learner.plan.enrolments.length >= MIN_ENROLMENTS) break;
      tryEnrol(learner, course);
    }
  }
}

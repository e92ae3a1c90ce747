// The demo catalogue as rows: people, courses with their lessons, assignments and quizzes, and
// prerequisite chains. Built in memory from a seeded PRNG, so every run lays out the same catalogue
// (only ids and the calendar day differ).
import { randomUUID } from 'node:crypto';
import {
  type CourseSeed,
  DEMO_EMAIL_DOMAIN,
  type PersonSeed,
  type QuestionSeed,
  adminPerson,
  courseSeeds,
  instructorPeople,
  lessonDescriptionTemplates,
} from './seed-content.js';
import type { coursePrerequisites, courses, lessons, assignments, quizQuestions, quizzes, users } from './schema.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export type UserInsert = typeof users.$inferInsert;
type CourseInsert = typeof courses.$inferInsert;
type PrerequisiteInsert = typeof coursePrerequisites.$inferInsert;
type LessonInsert = typeof lessons.$inferInsert;
type AssignmentInsert = typeof assignments.$inferInsert;
type QuizInsert = typeof quizzes.$inferInsert;
type QuestionInsert = typeof quizQuestions.$inferInsert;
export type StudyTime = NonNullable<UserInsert['preferredStudyTime']>;

/** mulberry32: tiny, fast and good enough to make demo data look varied yet identical on every run. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Roughly normal, mean 0 and standard deviation 1. */
  gaussian(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * Math.sqrt(3);
  }
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const total = items.reduce((sum, item) => sum + weight(item), 0);
    let roll = this.next() * total;
    for (const item of items) {
      roll -= weight(item);
      if (roll < 0) return item;
    }
    return items[items.length - 1]!;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }
}

/** Dates relative to the start of today (UTC), never later than now. */
export class Calendar {
  readonly today: number;
  constructor(readonly now: Date) {
    this.today = Math.floor(now.getTime() / DAY) * DAY;
  }
  /** When something happened: clamped to now, so that nothing has happened in the future. */
  at(daysAgo: number, minuteOfDay: number): Date {
    return this.cap(this.schedule(daysAgo, minuteOfDay));
  }
  /** A moment that may lie ahead (a due date); negative days are in the future. */
  schedule(daysAgo: number, minuteOfDay: number): Date {
    return new Date(this.today - daysAgo * DAY + minuteOfDay * MINUTE);
  }
  cap(date: Date): Date {
    const latest = Math.max(this.now.getTime() - MINUTE, this.today);
    return date.getTime() > latest ? new Date(latest) : date;
  }
  daysAgo(date: Date): number {
    return Math.round((this.today - Math.floor(date.getTime() / DAY) * DAY) / DAY);
  }
}

export interface LessonPlan {
  id: string;
  order: number;
  title: string;
  estimatedTime: number;
}

export interface AssignmentPlan {
  id: string;
  title: string;
  points: number;
  dueDate: Date;
  /** Students reach it after completing this lesson (1-based order). */
  afterLesson: number;
}

export interface QuestionPlan {
  id: string;
  seed: QuestionSeed;
  points: number;
}

export interface QuizPlan {
  id: string;
  title: string;
  afterLesson: number;
  questions: QuestionPlan[];
  totalPoints: number;
  passingScore: number;
  attemptsAllowed: number | null;
  timeLimit: number | null;
}

export interface CoursePlan {
  seed: CourseSeed;
  id: string;
  instructorId: string;
  lessons: LessonPlan[];
  assignments: AssignmentPlan[];
  quizzes: QuizPlan[];
  prerequisites: CoursePlan[];
  /** 0 for a course without prerequisites, else one more than its deepest prerequisite. */
  depth: number;
}

export interface Catalogue {
  admin: UserInsert;
  instructors: UserInsert[];
  courses: CoursePlan[];
  rows: {
    courses: CourseInsert[];
    prerequisites: PrerequisiteInsert[];
    lessons: LessonInsert[];
    assignments: AssignmentInsert[];
    quizzes: QuizInsert[];
    questions: QuestionInsert[];
  };
}

export const emailOf = (person: PersonSeed) =>
  `${person.firstName}.${person.lastName}@${DEMO_EMAIL_DOMAIN}`.toLowerCase();
export const usernameOf = (person: PersonSeed) => `${person.firstName}.${person.lastName}`.toLowerCase();

const questionPoints: Record<QuestionSeed['type'], number> = {
  single_choice: 1,
  true_false: 1,
  multiple_choice: 2,
  short_answer: 2,
  numeric: 2,
};

/** What the question table stores as the right answer: option text for choices, typed values otherwise. */
export function correctAnswerOf(question: QuestionSeed): string | number | boolean | string[] {
  switch (question.type) {
    case 'single_choice':
      return question.options[question.answer]!;
    case 'multiple_choice':
      return question.answer.map((index) => question.options[index]!);
    default:
      return question.answer;
  }
}

const POINT_CHOICES = [10, 20, 25, 30, 40, 50, 60, 75, 80, 100];

export function buildCatalogue(rng: Random, calendar: Calendar, passwordHashes: { admin: string; instructor: string }): Catalogue {
  const joined = (daysAgo: number) => calendar.at(daysAgo, rng.int(8 * 60, 17 * 60));
  const adminCreated = joined(240);
  const admin: UserInsert = {
    id: randomUUID(),
    ...adminPerson,
    passwordHash: passwordHashes.admin,
    role: 'admin',
    createdAt: adminCreated,
    updatedAt: adminCreated,
  };
  const instructors = instructorPeople.map((person, index): UserInsert => {
    const createdAt = joined(220 - index * 15);
    return {
      id: randomUUID(),
      firstName: person.firstName,
      lastName: person.lastName,
      email: index === 0 ? `instructor@${DEMO_EMAIL_DOMAIN}` : emailOf(person),
      username: usernameOf(person),
      passwordHash: passwordHashes.instructor,
      role: 'instructor',
      preferredStudyTime: rng.pick<StudyTime>(['morning', 'afternoon', 'evening']),
      createdAt,
      updatedAt: createdAt,
    };
  });

  const rows: Catalogue['rows'] = { courses: [], prerequisites: [], lessons: [], assignments: [], quizzes: [], questions: [] };
  const plans = new Map<string, CoursePlan>();
  for (const seed of courseSeeds) {
    const instructor = instructors[seed.instructor]!;
    const createdAt = calendar.at(rng.int(70, 170), rng.int(9 * 60, 18 * 60));
    const updatedAt = new Date(createdAt.getTime() + rng.int(0, 20) * DAY);
    const id = randomUUID();
    rows.courses.push({
      id,
      title: seed.title,
      description: seed.description,
      thumbnailUrl: '',
      category: seed.category,
      difficultyLevel: seed.level,
      instructorId: instructor.id!,
      createdAt,
      updatedAt,
    });

    const lessonPlans = seed.lessons.map((title, index): LessonPlan => {
      const lesson = { id: randomUUID(), order: index + 1, title, estimatedTime: rng.int(2, 12) * 5 };
      const description = rng
        .pick(lessonDescriptionTemplates)
        .replace('{lesson}', title.charAt(0).toLowerCase() + title.slice(1))
        .replace('{course}', seed.title);
      rows.lessons.push({
        ...lesson,
        courseId: id,
        description: description.charAt(0).toUpperCase() + description.slice(1),
        createdAt: new Date(createdAt.getTime() + index * HOUR),
        updatedAt: new Date(createdAt.getTime() + index * HOUR),
      });
      return lesson;
    });
    const lessonCount = lessonPlans.length;
    const lessonAt = (order: number) => lessonPlans[order - 1]!;

    const assignmentPlans = seed.assignments.map((task, index): AssignmentPlan => {
      const afterLesson = Math.min(lessonCount, Math.max(1, Math.round(((index + 1) * lessonCount) / (seed.assignments.length + 0.5))));
      const plan = {
        id: randomUUID(),
        title: task.title,
        points: rng.pick(POINT_CHOICES),
        dueDate: calendar.schedule(rng.int(-21, 21), 23 * 60 + 59),
        afterLesson,
      };
      rows.assignments.push({
        ...plan,
        courseId: id,
        lessonId: rng.chance(0.75) ? lessonAt(afterLesson).id : null,
        description: task.description,
        rubricUrl: rng.chance(0.4) ? `/rubrics/${seed.key}-${index + 1}.pdf` : null,
        createdAt: new Date(createdAt.getTime() + DAY),
        updatedAt: new Date(createdAt.getTime() + DAY),
      });
      return plan;
    });

    const quizPlans = seed.quizzes.map((quiz, index): QuizPlan => {
      const afterLesson = Math.ceil(((index + 1) * lessonCount) / seed.quizzes.length);
      const questions = quiz.questions.map((question) => ({ id: randomUUID(), seed: question, points: questionPoints[question.type] }));
      const plan: QuizPlan = {
        id: randomUUID(),
        title: quiz.title,
        afterLesson,
        questions,
        totalPoints: questions.reduce((sum, q) => sum + q.points, 0),
        passingScore: rng.pick([60, 70, 80]),
        attemptsAllowed: rng.pick([null, 1, 2, 3]),
        timeLimit: rng.pick([null, 10, 15, 20, 30]),
      };
      rows.quizzes.push({
        id: plan.id,
        courseId: id,
        lessonId: lessonAt(afterLesson).id,
        title: quiz.title,
        description: quiz.description,
        timeLimit: plan.timeLimit,
        attemptsAllowed: plan.attemptsAllowed,
        passingScore: plan.passingScore,
        createdAt: new Date(createdAt.getTime() + DAY),
        updatedAt: new Date(createdAt.getTime() + DAY),
      });
      questions.forEach((question, order) =>
        rows.questions.push({
          id: question.id,
          quizId: plan.id,
          order: order + 1,
          type: question.seed.type,
          prompt: question.seed.prompt,
          options: question.seed.type === 'single_choice' || question.seed.type === 'multiple_choice' ? question.seed.options : [],
          correctAnswer: correctAnswerOf(question.seed),
          tolerance: question.seed.type === 'numeric' ? question.seed.tolerance : null,
          points: question.points,
        }),
      );
      return plan;
    });

    const prerequisites = seed.requires.map((key) => {
      const prerequisite = plans.get(key);
      // The catalogue lists prerequisites before the courses that need them, so chains cannot loop.
      if (!prerequisite) throw new Error(`Demo course ${seed.key} requires ${key}, which must come earlier`);
      rows.prerequisites.push({ id: randomUUID(), courseId: id, prerequisiteId: prerequisite.id, createdAt: updatedAt });
      return prerequisite;
    });
    plans.set(seed.key, {
      seed,
      id,
      instructorId: instructor.id!,
      lessons: lessonPlans,
      assignments: assignmentPlans,
      quizzes: quizPlans,
      prerequisites,
      depth: prerequisites.reduce((depth, p) => Math.max(depth, p.depth + 1), 0),
    });
  }
  return { admin, instructors, courses: [...plans.values()], rows };
}

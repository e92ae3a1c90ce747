// The shape of the generated dataset: sizes, account names and the one shared password. The load
// scripts use these to find users without asking the database.
import type { DatasetSize } from './cli.js';

export interface DatasetCounts {
  students: number;
  instructors: number;
  courses: number;
  lessonsPerCourse: number;
  assignmentsPerCourse: number;
  completions: number;
  submissions: number;
  ratings: number;
}

const LARGE: DatasetCounts = {
  students: 200_000,
  instructors: 2_000,
  courses: 5_000,
  lessonsPerCourse: 10,
  assignmentsPerCourse: 2,
  completions: 2_000_000,
  submissions: 500_000,
  ratings: 200_000,
};

export function datasetCounts(size: DatasetSize): DatasetCounts {
  if (size === 'large') return LARGE;
  const scaled = (n: number) => Math.round(n / 100);
  return {
    ...LARGE,
    students: scaled(LARGE.students),
    instructors: scaled(LARGE.instructors),
    courses: scaled(LARGE.courses),
    completions: scaled(LARGE.completions),
    submissions: scaled(LARGE.submissions),
    ratings: scaled(LARGE.ratings),
  };
}

/** Every generated account (students and instructors) signs in with this password. */
export const BENCH_PASSWORD = 'bench-Learner-2026!';
export const BENCH_EMAIL_DOMAIN = 'bench.skilled.test';
export const studentEmail = (index: number): string => `student${index}@${BENCH_EMAIL_DOMAIN}`;
export const instructorEmail = (index: number): string => `instructor${index}@${BENCH_EMAIL_DOMAIN}`;
export const ADMIN_EMAIL = `admin@${BENCH_EMAIL_DOMAIN}`;

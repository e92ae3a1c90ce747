// What the browser tests need around the browser: accounts and courses made through the SDK against
// the e2e server, screenshots, accessibility checks and the size of the JavaScript a page loaded.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { ELearningApiClient } from '../../src/sdk/index.js';

export const baseUrl = (): string => inject('e2eBaseUrl');
export const PASSWORD = 'Web-tests-2026!';
export const DEMO_ADMIN = { email: 'admin@skilled.dev', password: 'Admin-demo-2026' };

const root = join(import.meta.dirname, '..', '..');
export const screenshotDir = join(root, 'test-results', 'screenshots');
mkdirSync(screenshotDir, { recursive: true });

export const suffix = (): string => randomUUID().replace(/-/g, '').slice(0, 8);

export interface Account {
  api: ELearningApiClient;
  id: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  username: string;
}

/** A new account, signed in through the SDK (bearer tokens, as a script would). */
export async function createAccount(role: 'student' | 'instructor', firstName = role === 'student' ? 'Sam' : 'Ines'): Promise<Account> {
  const id = suffix();
  const api = new ELearningApiClient({ baseUrl: baseUrl() });
  const details = {
    email: `${role}-${id}@e2e.skilled`,
    password: PASSWORD,
    firstName,
    lastName: `Tester${id.slice(0, 4)}`,
    username: `${role.slice(0, 4)}_${id}`,
    role,
  };
  const user = await api.signUp(details);
  await api.signIn(details.email, details.password);
  return { api, id: user.id, ...details };
}

export interface TeachingSetup {
  instructor: Account;
  courseId: string;
  courseTitle: string;
  lessonIds: string[];
  assignmentId: string;
  assignmentTitle: string;
}

/** A course with two lessons (the first with Markdown content) and an assignment graded by a rubric of 10 points. */
export async function createTeachingSetup(): Promise<TeachingSetup> {
  const instructor = await createAccount('instructor');
  const courseTitle = `Web Foundations ${suffix()}`;
  const course = await instructor.api.createCourse({
    title: courseTitle,
    description: 'Build pages that everyone can use.',
    category: 'programming',
    difficultyLevel: 'beginner',
  });
  const first = await instructor.api.createLesson(course.courseId, { title: 'Getting started', description: 'What the web is made of', estimatedTime: 15 });
  const second = await instructor.api.createLesson(course.courseId, { title: 'Semantic HTML', estimatedTime: 20 });
  await instructor.api.saveLessonContent(first.lessonId, {
    body: '# Welcome to the web\n\nPages are made of **HTML**, styled with CSS.\n\n- Structure\n- Style\n- Behaviour\n',
  });
  const assignmentTitle = 'First essay';
  const assignment = await instructor.api.createAssignment({
    courseId: course.courseId,
    title: assignmentTitle,
    description: 'Explain, in a few lines, why semantic HTML matters.',
    points: 10,
    dueDate: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  await instructor.api.setAssignmentRubric(assignment.assignmentId, {
    criteria: [
      { title: 'Clarity', levels: [{ title: 'Clear', points: 6 }, { title: 'Unclear', points: 2 }] },
      { title: 'Evidence', levels: [{ title: 'Strong', points: 4 }, { title: 'Weak', points: 1 }] },
    ],
  });
  return { instructor, courseId: course.courseId, courseTitle, lessonIds: [first.lessonId, second.lessonId], assignmentId: assignment.assignmentId, assignmentTitle };
}

/** The whole page, or only the screen for virtualised lists (whose rows off screen are not drawn). */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page against WCAG 2.1 A and AA, and returns the serious and critical
 * violations. It is evaluated through the browser's debugging protocol, so the page's CSP (which
 * forbids inline scripts) stays on.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The compressed (gzip, level 9, as built) size of a built file, by its URL path. */
export function gzipSizeOf(urlPath: string): number {
  const file = join(root, 'dist', 'web', urlPath.replace(/^\//, ''));
  try {
    return statSync(`${file}.gz`).size;
  } catch {
    return statSync(file).size;
  }
}

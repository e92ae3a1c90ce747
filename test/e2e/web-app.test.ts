// The web app in headless Chromium against a real server: what students, instructors and admins do,
// with live updates between browsers, optimistic changes and their rollback, accessibility, phone
// screens and the weight of the first page.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, launchBrowser, newContext, watchPage, type PageProblems } from '../support/browser.js';
import {
  baseUrl,
  createAccount,
  createTeachingSetup,
  DEMO_ADMIN,
  gzipSizeOf,
  PASSWORD,
  screenshot,
  screenshotDir,
  seriousA11yViolations,
  suffix,
  type Account,
} from './fixtures.js';

if (!hasChromium()) throw new Error('The browser tests need Chromium at /usr/bin/chromium (apt-get install chromium) or CHROMIUM_PATH');

let browser: Browser;
const contexts: BrowserContext[] = [];
const watched: { name: string; problems: PageProblems }[] = [];

async function openPage(name: string, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await newContext(browser, baseUrl(), viewport);
  contexts.push(context);
  const page = await context.newPage();
  watched.push({ name, problems: watchPage(page) });
  return page;
}

async function signInThroughForm(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** A mark that only a full page load would wipe: proves that what follows arrived live. */
const markPage = (page: Page) => page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 42));
const pageWasNotReloaded = (page: Page) => page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark === 42);

async function expectAccessible(page: Page, what: string) {
  const violations = await seriousA11yViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  // Nothing anywhere may have thrown, logged an error or hit the Content-Security-Policy.
  for (const { name, problems } of watched) {
    expect(problems.cspViolations, `CSP violations in ${name}`).toEqual([]);
    expect(problems.errors, `errors in ${name}`).toEqual([]);
  }
});

describe('catalogue', () => {
  test('loads under 200 KB of JavaScript, keeps its filters in the URL and scrolls into page two', async () => {
    const page = await openPage('catalogue');
    const scripts = new Set<string>();
    const pageRequests: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (request.resourceType() === 'script') scripts.add(url.pathname);
      if (url.pathname === '/api/courses') pageRequests.push(url.searchParams.get('page') ?? '1');
    });
    await page.goto('/courses');
    const counter = page.getByText(/^Showing \d+ of \d+ courses/);
    await expect.poll(() => counter.textContent()).toMatch(/^Showing 20 of \d+/);
    const total = Number(/of (\d+)/.exec((await counter.textContent()) ?? '')?.[1]);
    expect(total).toBeGreaterThan(20);

    // The first load: every script of the catalogue screen, measured as the build compressed it.
    const files = [...scripts].filter((path) => path.startsWith('/assets/'));
    const bytes = files.reduce((sum, path) => sum + gzipSizeOf(path), 0);
    writeFileSync(join(screenshotDir, '..', 'catalogue-first-load.json'), JSON.stringify({ gzipBytes: bytes, files: files.map((f) => ({ file: f, gzipBytes: gzipSizeOf(f) })) }, null, 2));
    console.log(`catalogue first load: ${(bytes / 1024).toFixed(1)} KB of JavaScript (gzip) in ${files.length} files`);
    expect(bytes).toBeLessThan(200 * 1024);
    // Screens are split: the course page's code is not part of it.
    expect(files.some((f) => /CoursePage|DashboardPage|LessonEditorPage/.test(f))).toBe(false);

    await screenshot(page, 'catalogue', { fullPage: false });
    await expectAccessible(page, 'catalogue');

    // Only the rows on screen are in the document.
    expect(await page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2 }) }).count()).toBeLessThan(20);
    expect(pageRequests).toEqual(['1']);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => counter.textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Showing ${Math.min(40, total)} of ${total}`));
    expect(pageRequests).toContain('2');

    // Filters live in the URL and survive a reload.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByLabel('Category').selectOption('music');
    await page.waitForURL(/category=music/);
    await page.getByLabel('Sort by').selectOption('rating');
    await page.waitForURL(/sort=rating/);
    await page.reload();
    await expect.poll(() => page.getByLabel('Category').inputValue()).toBe('music');
    await expect.poll(() => counter.textContent()).toMatch(/^Showing \d+ of \d+/);
    const musicTotal = Number(/of (\d+)/.exec((await counter.textContent()) ?? '')?.[1]);
    expect(musicTotal).toBeGreaterThan(0);
    expect(musicTotal).toBeLessThan(total);
  });

  test('is usable on a phone-sized screen', async () => {
    const page = await openPage('phone', { width: 375, height: 740 });
    await page.goto('/courses');
    await expect.poll(() => page.getByText(/^Showing \d+ of \d+ courses/).isVisible()).toBe(true);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'catalogue-phone', { fullPage: false });
    // The navigation folds into a menu button.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Courses' }).waitFor();
    await page.goto('/signin');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'signin-phone');
    await expectAccessible(page, 'sign-in on a phone');
  });
});

describe('a student and an instructor, live', () => {
  let setup: Awaited<ReturnType<typeof createTeachingSetup>>;
  let student: Page;
  let teacher: Page;
  const learner = { firstName: 'Lena', lastName: `Learner${suffix().slice(0, 4)}`, username: `lena_${suffix()}`, email: `lena-${suffix()}@e2e.skilled` };

  beforeAll(async () => {
    setup = await createTeachingSetup();
    student = await openPage('student');
    teacher = await openPage('instructor');
  });

  test('a new student signs up, enrols, completes a lesson and hands in work with a file', async () => {
    await student.goto('/register');
    await expectAccessible(student, 'registration');
    await student.getByLabel('First name').fill(learner.firstName);
    await student.getByLabel('Last name').fill(learner.lastName);
    await student.getByLabel('Username').fill(learner.username);
    await student.getByLabel('Email').fill(learner.email);
    await student.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await screenshot(student, 'register');
    await student.getByRole('button', { name: 'Create account' }).click();
    await student.waitForURL('**/dashboard');
    await expect.poll(() => student.getByRole('heading', { level: 1 }).textContent()).toBe(`Welcome back, ${learner.firstName}`);

    await student.goto(`/courses/${setup.courseId}`);
    await student.getByRole('button', { name: 'Enrol' }).click();
    const start = student.getByRole('link', { name: 'Start: Getting started' });
    await start.waitFor();
    await screenshot(student, 'course');
    await expectAccessible(student, 'course page');

    await start.click();
    await student.getByRole('heading', { name: 'Welcome to the web' }).waitFor();
    await student.getByRole('button', { name: 'Mark as complete' }).click();
    await student.getByText('✓ Completed').waitFor();
    await screenshot(student, 'lesson');
    await expectAccessible(student, 'lesson reader');

    await student.getByRole('link', { name: setup.courseTitle }).click();
    await student.getByRole('link', { name: setup.assignmentTitle }).click();
    await student.getByLabel('Your answer').fill('Semantic HTML tells browsers and assistive technology what each part of a page is.');
    await student.getByLabel('Attach a file (optional)').setInputFiles({
      name: 'essay.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Semantic HTML matters.\n'.repeat(60_000)),
    });

    // The teacher watches the grading queue of this assignment before the work arrives.
    await signInThroughForm(teacher, setup.instructor.email, setup.instructor.password);
    await teacher.goto(`/teach/grading/${setup.assignmentId}`);
    await teacher.getByRole('heading', { name: 'Submissions (0 to grade)' }).waitFor();
    await markPage(teacher);

    const progressSeen = student.waitForSelector('[role=progressbar][aria-label="Upload progress"]', { timeout: 20_000 });
    await student.getByRole('button', { name: 'Submit' }).click();
    await progressSeen;
    await student.getByText('Your work is handed in.').waitFor({ timeout: 30_000 });
    await student.getByText('Handed in', { exact: false }).first().waitFor();
    await markPage(student);
    await screenshot(student, 'assignment-submitted');
    await expectAccessible(student, 'assignment');
  });

  test('the instructor sees the work arrive without reloading and grades it with the rubric; the student sees the grade arrive', async () => {
    const name = `${learner.firstName} ${learner.lastName}`;
    await teacher.getByRole('heading', { name: 'Submissions (1 to grade)' }).waitFor({ timeout: 15_000 });
    expect(await pageWasNotReloaded(teacher)).toBe(true);
    await teacher.getByRole('heading', { name, level: 2 }).waitFor();
    await teacher.getByText('Semantic HTML tells browsers').waitFor();
    // The levels are radio buttons drawn as their labels.
    await teacher.getByText('Clear · 6 pts').click();
    await teacher.getByText('Strong · 4 pts').click();
    expect(await teacher.getByRole('radio', { name: /Clear/ }).isChecked()).toBe(true);
    await teacher.getByText('Grade: 10 / 10').waitFor();
    await teacher.getByLabel('Feedback for the student').fill('Clear and well argued.');
    await screenshot(teacher, 'grading');
    await expectAccessible(teacher, 'grading');
    await teacher.getByRole('button', { name: 'Save grade' }).click();
    await teacher.getByText(`Graded ${name}: 10 / 10.`).waitFor();
    await teacher.getByRole('heading', { name: 'Submissions (0 to grade)' }).waitFor();

    await expect.poll(() => student.getByTestId('grade').textContent(), { timeout: 15_000 }).toMatch(/^10\s*\/\s*10/);
    await student.getByText('Clear and well argued.').waitFor();
    // The notification of the grade arrives live too.
    await student.getByRole('link', { name: /^Notifications, \d+ unread$/ }).waitFor({ timeout: 15_000 });
    expect(await pageWasNotReloaded(student)).toBe(true);
    await screenshot(student, 'assignment-graded');

    await teacher.goto('/teach');
    await screenshot(teacher, 'teaching-home');
    await expectAccessible(teacher, 'teaching home');
  });

  test('the dashboard, grades and profile show the new learner', async () => {
    await student.getByRole('link', { name: 'Dashboard' }).click();
    await student.getByText('This week\'s goal').waitFor();
    await student.getByRole('heading', { name: 'Completion per course' }).waitFor();
    await student.getByText('Recommended for you').waitFor();
    await expect.poll(() => student.getByRole('img', { name: /Weekly goal reached/ }).count()).toBe(1);
    await screenshot(student, 'dashboard');
    await expectAccessible(student, 'dashboard');

    await student.getByRole('link', { name: 'Grades' }).click();
    await student.getByRole('cell', { name: '10 / 10' }).waitFor();
    await screenshot(student, 'grades');
    await expectAccessible(student, 'grades');

    // A preference saved at once, and the profile form.
    await student.getByRole('link', { name: `Your profile: ${learner.firstName}` }).click();
    await student.getByLabel('Weekly learning goal (minutes)').fill('240');
    await student.getByRole('button', { name: 'Save goal' }).click();
    await student.getByText('Weekly goal saved.').waitFor();
    await screenshot(student, 'profile');
    await expectAccessible(student, 'profile');

    // The persisted cache keeps courses, never the account's own details.
    const cached = await student.evaluate(() => localStorage.getItem('skilled.query-cache') ?? '');
    expect(cached).toContain('courses');
    expect(cached).not.toContain(learner.email);
  });

  test('notifications are listed and marked read at once', async () => {
    await student.getByRole('link', { name: /^Notifications, \d+ unread$/ }).click();
    await student.getByText(/graded/i).first().waitFor();
    await screenshot(student, 'notifications');
    await expectAccessible(student, 'notifications');
    await student.getByRole('button', { name: 'Mark all read' }).click();
    await student.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    await student.getByText('0 unread').waitFor();
  });

  test('an offline notice shows while the server cannot be reached', async () => {
    await student.context().setOffline(true);
    await student.getByText('You appear to be offline.').waitFor();
    await student.context().setOffline(false);
    await student.getByText('You appear to be offline.').waitFor({ state: 'hidden' });
  });
});

describe('refusals and conflicts', () => {
  test('an enrolment refused for a missing prerequisite is rolled back with the reason', async () => {
    const instructor = await createAccount('instructor');
    const basics = await instructor.api.createCourse({ title: `Algebra Basics ${suffix()}`, category: 'science', difficultyLevel: 'beginner' });
    const advanced = await instructor.api.createCourse({
      title: `Algebra Advanced ${suffix()}`,
      category: 'science',
      difficultyLevel: 'advanced',
      prerequisiteIds: [basics.courseId],
    });
    const learnerAccount = await createAccount('student', 'Pat');
    const page = await openPage('refused enrolment');
    await signInThroughForm(page, learnerAccount.email, learnerAccount.password);

    // Hold the answer a moment, so that the optimistic enrolment can be seen before it is taken back.
    await page.route('**/api/courses/*/enroll', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await route.continue();
    });
    await page.goto(`/courses/${advanced.courseId}`);
    await page.getByText(`This course expects you to have completed ${basics.title} first.`).waitFor();
    await page.getByRole('button', { name: 'Enrol' }).click();
    await page.getByRole('heading', { name: 'You are enrolled' }).waitFor();
    await page.getByRole('alert').filter({ hasText: `You cannot enrol yet: first complete ${basics.title}.` }).waitFor();
    await page.getByRole('button', { name: 'Enrol' }).waitFor();
    expect(await page.getByRole('heading', { name: 'You are enrolled' }).count()).toBe(0);
    await screenshot(page, 'enrolment-refused');
  });

  test('an edit that lost a race shows both versions and keeps the person\'s own on request', async () => {
    const instructor = await createAccount('instructor');
    const course = await instructor.api.createCourse({ title: `Race Course ${suffix()}`, description: 'First words', category: 'design', difficultyLevel: 'beginner' });
    const page = await openPage('conflict');
    await signInThroughForm(page, instructor.email, instructor.password);
    await page.goto(`/teach/courses/${course.courseId}`);
    await page.getByLabel('Description').waitFor();

    // Someone else renames the course meanwhile.
    await instructor.api.getCourse(course.courseId);
    await instructor.api.updateCourse(course.courseId, { title: 'Renamed elsewhere' }, { ifMatch: instructor.api.etagFor(`/api/courses/${course.courseId}`) });

    await page.getByLabel('Description').fill('My better words');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'This was changed while you were editing' });
    await dialog.waitFor();
    await dialog.getByRole('row', { name: /Title.*Renamed elsewhere.*Race Course/ }).waitFor();
    await dialog.getByRole('row', { name: /Description.*First words.*My better words/ }).waitFor();
    await screenshot(page, 'conflict');
    await expectAccessible(page, 'conflict dialog');
    await dialog.getByRole('button', { name: 'Keep mine' }).click();
    await page.getByText('Your version was saved.').waitFor();

    const saved = await instructor.api.getCourse(course.courseId);
    expect(saved.title).toBe('Renamed elsewhere');
    expect(saved.description).toBe('My better words');
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe('Renamed elsewhere');
  });
});

describe('authoring', () => {
  test('an instructor writes a lesson with a preview, sets up work, posts an announcement and messages a student', async () => {
    const setup = await createTeachingSetup();
    const quiz = await setup.instructor.api.createQuiz({
      courseId: setup.courseId,
      title: 'Check-in',
      questions: [{ type: 'true_false', prompt: 'HTML describes structure.', correctAnswer: true, points: 1 }],
    });
    const learnerAccount = await createAccount('student', 'Ada');
    await learnerAccount.api.enrollInCourse(setup.courseId);
    const page = await openPage('authoring');
    await signInThroughForm(page, setup.instructor.email, setup.instructor.password);

    await page.goto('/teach/courses/new');
    await expectAccessible(page, 'new course');
    await screenshot(page, 'course-new');

    await page.goto(`/teach/courses/${setup.courseId}?tab=lessons`);
    await page.getByRole('link', { name: 'Semantic HTML' }).click();
    const editor = page.getByLabel('Lesson text (Markdown)');
    await editor.fill('## Landmarks\n\nUse `<nav>` and **headings**.\n\n<img src="x" onerror="alert(1)">');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('heading', { name: 'Landmarks' }).waitFor();
    expect(await preview.innerHTML()).not.toContain('onerror');
    await screenshot(page, 'lesson-editor-preview');
    await expectAccessible(page, 'lesson editor');
    await page.getByRole('button', { name: 'Write', exact: true }).click();
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByText('Version 1 saved.').waitFor();

    await page.goto(`/teach/assignments/${setup.assignmentId}`);
    await page.getByRole('heading', { name: 'Rubric' }).waitFor();
    await page.getByText('Best levels add up to 10 of the assignment\'s 10 points.').waitFor();
    await screenshot(page, 'assignment-editor');
    await expectAccessible(page, 'assignment editor');

    await page.goto(`/teach/quizzes/${quiz.quizId}`);
    await page.getByLabel('Question').waitFor();
    await screenshot(page, 'quiz-editor');
    await expectAccessible(page, 'quiz editor');

    await page.goto(`/teach/courses/${setup.courseId}?tab=students`);
    await page.getByRole('heading', { name: 'Hand-ins per assignment' }).waitFor();
    await expectAccessible(page, 'course students');

    await page.getByRole('link', { name: 'Announcements', exact: true }).first().waitFor();
    await page.goto(`/teach/courses/${setup.courseId}?tab=announcements`);
    await page.getByLabel('Title').fill('Welcome aboard');
    await page.getByLabel('Message (Markdown)').fill('The first essay is due **next week**.');
    await page.getByRole('button', { name: 'Post to the course' }).click();
    await page.getByRole('heading', { name: 'Welcome aboard' }).waitFor();
    await screenshot(page, 'course-announcements');
    await expectAccessible(page, 'course announcements');

    await page.goto(`/messages?to=${learnerAccount.id}&name=${encodeURIComponent(`${learnerAccount.firstName} ${learnerAccount.lastName}`)}`);
    await page.getByLabel(`Message to ${learnerAccount.firstName} ${learnerAccount.lastName}`).fill('Welcome to the course!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('list', { name: `Messages with ${learnerAccount.firstName} ${learnerAccount.lastName}` }).getByText('Welcome to the course!').waitFor();
    await screenshot(page, 'messages');
    await expectAccessible(page, 'messages');
    const inbox = await learnerAccount.api.listConversations();
    expect(inbox.unreadCount).toBe(1);
  });
});

describe('quizzes', () => {
  test('a timed attempt counts down on the server\'s clock and is handed in when the time is up', async () => {
    const instructor = await createAccount('instructor');
    const course = await instructor.api.createCourse({ title: `Quick Quiz Course ${suffix()}`, category: 'science', difficultyLevel: 'beginner' });
    const quiz = await instructor.api.createQuiz({
      courseId: course.courseId,
      title: 'Speed round',
      timeLimit: 0.1,
      questions: [
        { type: 'single_choice', prompt: 'Which planet is closest to the Sun?', options: ['Venus', 'Mercury', 'Mars'], correctAnswer: 'Mercury', points: 2 },
        { type: 'numeric', prompt: 'How many minutes are in an hour?', correctAnswer: 60, points: 1 },
      ],
    });
    const taker = await createAccount('student', 'Quinn');
    await taker.api.enrollInCourse(course.courseId);

    const page = await openPage('quiz');
    await signInThroughForm(page, taker.email, taker.password);
    await page.goto(`/quizzes/${quiz.quizId}`);
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    const timer = page.getByRole('timer');
    await expect.poll(async () => (await timer.textContent()) ?? '').toMatch(/Time left: 0:0[0-6]/);
    await page.getByRole('radio', { name: 'Mercury' }).check();
    await page.getByLabel('Your answer').fill('60');
    await screenshot(page, 'quiz-attempt');
    await expectAccessible(page, 'quiz attempt');
    // Nobody presses "Hand in": the countdown does it.
    await page.getByRole('heading', { name: 'Attempt 1: 3 / 3' }).waitFor({ timeout: 20_000 });
    await page.getByText('Passed').or(page.getByText('100%')).first().waitFor();
    await screenshot(page, 'quiz-result');
  });
});

describe('account security', () => {
  test('a user turns on two-step sign-in with an authenticator app and signs in with a code', async () => {
    const account = await createAccount('student', 'Mia');
    const page = await openPage('two-step sign-in');
    await signInThroughForm(page, account.email, account.password);
    await page.goto('/settings/security');
    const app = page.getByRole('region', { name: 'Authenticator app' });
    await app.getByLabel('Current password').fill(account.password);
    await app.getByRole('button', { name: 'Set up the app' }).click();
    const secret = (await app.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await app.getByRole('img', { name: /QR code/ }).waitFor();
    await screenshot(page, 'security-totp-setup');
    await expectAccessible(page, 'security settings');

    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    await app.getByLabel('6-digit code').fill(totp.generate());
    await app.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' });
    await codes.waitFor();
    expect(await codes.getByRole('listitem').count()).toBeGreaterThan(4);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await app.getByText('On', { exact: true }).waitFor();

    await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/signin');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await screenshot(page, 'signin-second-step');
    await expectAccessible(page, 'second sign-in step');
    // A code already used is refused: take the next step's, which the server accepts for clock drift.
    await page.getByLabel('6-digit code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL('**/dashboard');
  });
});

describe('administration', () => {
  let suspended: Account;

  test('an admin suspends a user, whose open tab drops to the sign-in page', async () => {
    suspended = await createAccount('student', 'Sid');
    const victim = await openPage('suspended student');
    await signInThroughForm(victim, suspended.email, suspended.password);
    await victim.waitForURL('**/dashboard');
    await victim.getByText('Live').waitFor({ timeout: 15_000 });

    const admin = await openPage('admin');
    await signInThroughForm(admin, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await admin.waitForURL('**/admin');
    await admin.getByRole('heading', { name: 'Enrolments and completions per day' }).waitFor();
    await screenshot(admin, 'admin-analytics');
    await expectAccessible(admin, 'admin analytics');

    await admin.getByRole('link', { name: 'Users' }).first().click();
    await admin.getByLabel('Search').fill(suspended.email);
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByRole('button', { name: `Suspend ${suspended.firstName} ${suspended.lastName}` }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('Reason (shown to admins)').fill('Testing suspension');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await admin.getByRole('cell', { name: /Suspended/ }).waitFor();
    await screenshot(admin, 'admin-users');
    await expectAccessible(admin, 'admin users');

    await victim.waitForURL(/\/signin\?.*reason=expired/, { timeout: 20_000 });
    await victim.getByText('Your session has ended.').waitFor();
    await screenshot(victim, 'session-ended');

    await admin.getByRole('link', { name: 'Reports' }).click();
    const download = admin.waitForEvent('download');
    await admin.getByRole('button', { name: 'Download report' }).click();
    expect((await download).suggestedFilename()).toMatch(/^skilled-enrollments-.*\.csv$/);
    await screenshot(admin, 'admin-reports');
    await expectAccessible(admin, 'admin reports');

    await admin.getByRole('link', { name: 'Audit log' }).click();
    await admin.getByLabel('Action').fill('user.suspend');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.getByRole('cell', { name: new RegExp(suspended.id) }).first().waitFor();
    await screenshot(admin, 'audit-log');
    await expectAccessible(admin, 'audit log');
  });
});

// Headless Chromium for the browser tests: Debian's own build (no download), driven by playwright-core.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Containers often run as root with a small /dev/shm.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface PageProblems {
  /** Uncaught exceptions and console errors, with where they came from. */
  errors: string[];
  /** Scripts or styles the Content-Security-Policy refused. */
  cspViolations: string[];
}

/** A new browser context (its own cookies and storage) at a given screen size. */
export async function newContext(browser: Browser, baseURL: string, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport, locale: 'en-GB', timezoneId: 'UTC' });
}

/** Collects what went wrong in a page, so that a test can assert there was nothing. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], cspViolations: [] };
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location();
    if (/Content.Security.Policy/i.test(text)) problems.cspViolations.push(`${text} (on ${page.url()}, ${where.url}:${where.lineNumber}:${where.columnNumber})`);
    // Refused requests (the server said no) are expected in some tests, and so are requests made while a
    // test holds the browser offline; neither is a page error.
    else if (!/Failed to load resource: (the server responded with a status of 4\d\d|net::ERR_INTERNET_DISCONNECTED)/.test(text)) {
      problems.errors.push(`console: ${text}`);
    }
  });
  return problems;
}

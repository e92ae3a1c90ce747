// The SDK as a package: built with tsconfig.sdk.json into a throwaway node_modules/skilled (with this
// package.json, as an install would lay it out), then imported by name from a child Node process and
// type-checked from a consumer file. Also measures the minified + gzipped bundle.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl } from './support/api.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const esbuild = join(root, 'node_modules/.bin/esbuild');

let work: string;
let bundleBytes: Buffer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'skilled-sdk-package-'));
  const pkg = join(work, 'node_modules/skilled');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  // zod is a dependency of the package: its declarations need it.
  symlinkSync(join(root, 'node_modules/zod'), join(work, 'node_modules/zod'), 'dir');
  const bundle = join(work, 'sdk.min.js');
  await Promise.all([
    run(process.execPath, [tsc, '-p', 'tsconfig.sdk.json', '--outDir', join(pkg, 'dist')], { cwd: root }),
    run(esbuild, ['src/sdk/index.ts', '--bundle', '--minify', '--format=esm', '--target=es2022', `--outfile=${bundle}`, '--log-level=warning'], {
      cwd: root,
    }),
  ]);
  bundleBytes = readFileSync(bundle);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the skilled/sdk package', () => {
  it('is imported by name from the exports map in a plain Node process, and works', async () => {
    writeFileSync(
      join(work, 'consumer.mjs'),
      `import { ELearningApiClient, ApiClient, ApiError, sdkRoutes } from 'skilled/sdk';
const client = new ELearningApiClient({ baseUrl: process.argv[2] });
const health = await client.health();
let error;
try { await client.listMyAssignments(); } catch (e) { error = e; }
let deep;
try { await import('skilled/src/sdk/index.ts'); } catch (e) { deep = e.code; }
console.log(JSON.stringify({
  health: health.status,
  subclass: client instanceof ApiClient,
  error: error instanceof ApiError ? [error.status, error.code, error.category] : String(error),
  routes: sdkRoutes.length,
  deep,
}));
`,
    );
    const { stdout } = await run(process.execPath, ['consumer.mjs', baseUrl()], { cwd: work });
    expect(JSON.parse(stdout)).toEqual({
      health: 'ok',
      subclass: true,
      error: [401, 'UNAUTHENTICATED', 'auth'],
      routes: expect.any(Number),
      deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }, 60_000);

  it('ships declarations: a TypeScript consumer gets the contract types, not any', async () => {
    writeFileSync(
      join(work, 'consumer.ts'),
      `import { ELearningApiClient, ApiError, type CourseDetails, type CourseListItem, type Paginated } from 'skilled/sdk';

const client = new ELearningApiClient({ baseUrl: 'http://localhost:3000', authMode: 'bearer' });

export async function firstTitle(): Promise<string> {
  const page: Paginated<CourseListItem> = await client.listCourses({ category: 'design', limit: 5 });
  const course: CourseDetails = await client.getCourse(page.data[0]!.courseId);
  // @ts-expect-error a title is a string
  const wrong: number = course.title;
  // @ts-expect-error the category must be one of the contract's
  await client.listCourses({ category: 'cooking' });
  // @ts-expect-error a submission needs an assignment id
  await client.submitAssignment({ submissionContent: 'x' });
  void wrong;
  return course.title;
}

export function describeError(error: unknown): string {
  return error instanceof ApiError ? error.category + ':' + error.code : 'other';
}
`,
    );
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: work }).catch((error: { stdout: string }) => error);
    expect('stdout' in result ? result.stdout : '').toBe('');
  }, 60_000);

  it('is small: the minified bundle carries no schema code', () => {
    const gzipped = gzipSync(bundleBytes).length;
    console.log(`skilled/sdk: ${bundleBytes.length} bytes minified, ${gzipped} bytes minified + gzipped`);
    expect(bundleBytes.toString()).not.toMatch(/ZodError|safeParse/);
    expect(gzipped).toBeLessThan(12_000);
  });
});

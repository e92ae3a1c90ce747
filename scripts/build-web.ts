// Builds the web app into dist/web when it is missing or older than its sources.
//   node --import tsx scripts/build-web.ts             build now
//   node --import tsx scripts/build-web.ts --if-stale  build only when a source changed (what `npm start` runs)
// "Older" is decided by a hash of the sources' contents, kept next to the build: checking it reads a
// few hundred kilobytes, so a start with a fresh build loses no time, and a checkout that only
// touches modification times does not rebuild.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const webBuildDir = join(root, 'dist', 'web');
const STAMP = '.build-id';
const LOCK = join(root, 'dist', '.web-build.lock');
/** Everything the bundle is made from. */
const SOURCES = ['src/web', 'src/sdk', 'src/contract', 'scripts/precompress.ts', 'vite.config.ts', 'package-lock.json'];

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => listFiles(join(path, entry.name))));
  return nested.flat();
}

/** A hash of every source file's path and content. */
export async function sourceHash(): Promise<string> {
  const files = (await Promise.all(SOURCES.map((source) => listFiles(join(root, source))))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export async function builtId(): Promise<string | undefined> {
  return readFile(join(webBuildDir, STAMP), 'utf8').then((text) => text.trim(), () => undefined);
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One build at a time on this machine: a second caller waits for the first one's result. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(join(root, 'dist'), { recursive: true });
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''));
      // A lock left by a process that died (or is being written right now) is taken over.
      if (holder && !pidAlive(holder)) await rm(LOCK, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { force: true });
  }
}

export interface WebBuildResult {
  built: boolean;
  buildId: string;
  durationMs: number;
}

/** Builds into a fresh directory and swaps it in, so that a running server never sees half a build. */
async function build(buildId: string): Promise<void> {
  const staging = join(root, 'dist', `.web-${process.pid}`);
  process.env.SKILLED_BUILD_ID = buildId;
  process.env.SKILLED_WEB_OUT_DIR = staging;
  // Vite keeps a NODE_ENV it finds (a test runner sets `test`), which would bundle React's
  // development build: a build for serving is always a production build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const { build: viteBuild } = await import('vite');
    await viteBuild({ configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await writeFile(join(staging, STAMP), `${buildId}\n`);
  const previous = join(root, 'dist', `.web-old-${process.pid}`);
  if (existsSync(webBuildDir)) await rename(webBuildDir, previous);
  await rename(staging, webBuildDir);
  await rm(previous, { recursive: true, force: true });
}

export async function ensureWebBuild(options: { force?: boolean } = {}): Promise<WebBuildResult> {
  const startedAt = Date.now();
  const wanted = await sourceHash();
  if (!options.force && (await builtId()) === wanted) return { built: false, buildId: wanted, durationMs: Date.now() - startedAt };
  return withLock(async () => {
    // Someone else may have built it while this process waited for the lock.
    if (!options.force && (await builtId()) === wanted) return { built: false, buildId: wanted, durationMs: Date.now() - startedAt };
    await build(wanted);
    return { built: true, buildId: wanted, durationMs: Date.now() - startedAt };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !(await builtId())) console.log('Building the web app (first start)…');
  else if (ifStale && (await builtId()) !== (await sourceHash())) console.log('Building the web app (sources changed)…');
  const result = await ensureWebBuild({ force: !ifStale });
  if (result.built) console.log(`Web app built in ${(result.durationMs / 1000).toFixed(1)} s (${result.buildId})`);
}

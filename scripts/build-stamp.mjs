// What each build is made from, and how to tell whether a build is older than its sources. Plain
// JavaScript, so that `npm start` (scripts/start.mjs) can check both builds without loading a
// TypeScript compiler; the build scripts themselves (build-web.ts, build-server.ts) use it too.
// "Older" is decided by a hash of the sources' contents, kept next to the build: a checkout that only
// touches modification times does not rebuild. Reading every source at every start took some 50 ms, so
// a second stamp records the sources' paths, sizes and modification times when they last matched: as
// long as no file was touched, listing them is enough.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The file beside a build that holds the hash of the sources it was made from. */
const STAMP = '.build-id';
/** Beside it: the hash of the sources' paths, sizes and modification times they had when last matched. */
const STAT_STAMP = '.build-stat';

export const BUILDS = {
  web: {
    name: 'web app',
    dir: join(root, 'dist', 'web'),
    sources: ['src/web', 'src/sdk', 'src/contract', 'scripts/precompress.ts', 'vite.config.ts', 'package-lock.json'],
    exclude: [],
  },
  server: {
    name: 'server',
    dir: join(root, 'dist', 'server'),
    sources: ['src/server', 'src/contract', 'scripts/build-server.ts', 'package-lock.json'],
    // Read from the source tree when the server runs, not bundled.
    exclude: ['src/server/db/migrations'],
  },
};

/** The built server: what `npm start` runs. */
export const SERVER_ENTRY = join(BUILDS.server.dir, 'main.js');

async function listFiles(path, excluded) {
  if (excluded.has(path)) return [];
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => listFiles(join(path, entry.name), excluded)));
  return nested.flat();
}

async function sourceFiles(build, base) {
  const excluded = new Set(build.exclude.map((path) => join(base, path)));
  return (await Promise.all(build.sources.map((source) => listFiles(join(base, source), excluded)))).flat().sort();
}

/** A hash of every source file's path and content. */
export async function sourceHash(build, base = root) {
  const files = await sourceFiles(build, base);
  const hash = createHash('sha256');
  const contents = await Promise.all(files.map((file) => readFile(file)));
  files.forEach((file, index) => hash.update(relative(base, file)).update('\0').update(contents[index]).update('\0'));
  return hash.digest('hex').slice(0, 16);
}

/** A hash of every source file's path, size and modification time: unchanged as long as no file was touched. */
export async function sourceStatHash(build, base = root) {
  const files = await sourceFiles(build, base);
  const infos = await Promise.all(files.map((file) => stat(file)));
  const hash = createHash('sha256');
  files.forEach((file, index) => hash.update(`${relative(base, file)}\0${infos[index].size}\0${infos[index].mtimeMs}\0`));
  return hash.digest('hex').slice(0, 16);
}

const readStamp = (path) => readFile(path, 'utf8').then((text) => text.trim(), () => undefined);

/** The hash the build in `dir` was made from, or undefined when there is no build. */
export async function builtId(dir) {
  return readStamp(join(dir, STAMP));
}

/** Whether the build exists and was made from the sources as they are now. */
export async function isFresh(build, base = root) {
  const [built, recordedStat, currentStat] = await Promise.all([
    builtId(build.dir),
    readStamp(join(build.dir, STAT_STAMP)),
    sourceStatHash(build, base),
  ]);
  if (built === undefined) return false;
  if (recordedStat === currentStat) return true;
  if (built !== (await sourceHash(build, base))) return false;
  // Touched but unchanged (a checkout, a copy): remembered, so that the next check is the quick one again.
  await writeAtomically(join(build.dir, STAT_STAMP), `${currentStat}\n`).catch(() => undefined);
  return true;
}

async function writeAtomically(path, text) {
  const staging = `${path}.${process.pid}`;
  await writeFile(staging, text);
  await rename(staging, path);
}

const pidAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One build of a kind at a time on this machine: a second caller waits for the first one's result. */
async function withBuildLock(lockFile, work) {
  await mkdir(join(lockFile, '..'), { recursive: true });
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      // A lock left by a process that died (or is being written right now) is taken over.
      if (holder && !pidAlive(holder)) await rm(lockFile, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/**
 * Makes `build` when it is missing or older than its sources (always with `force`): `make` writes into a
 * fresh directory, which is then swapped in, so that a running server never sees half a build.
 */
export async function ensureBuild(build, make, options = {}) {
  const startedAt = Date.now();
  // Taken before the contents are read: a file written meanwhile then fails the quick check.
  const statHash = await sourceStatHash(build);
  const wanted = await sourceHash(build);
  const result = (built) => ({ built, buildId: wanted, durationMs: Date.now() - startedAt });
  if (!options.force && (await builtId(build.dir)) === wanted) return result(false);
  const parent = dirname(build.dir);
  return withBuildLock(join(parent, `.${basename(build.dir)}-build.lock`), async () => {
    // Someone else may have built it while this process waited for the lock.
    if (!options.force && (await builtId(build.dir)) === wanted) return result(false);
    const staging = join(parent, `.${basename(build.dir)}-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    await make(staging, wanted);
    await writeFile(join(staging, STAMP), `${wanted}\n`);
    await writeFile(join(staging, STAT_STAMP), `${statHash}\n`);
    const previous = join(parent, `.${basename(build.dir)}-old-${process.pid}`);
    if (existsSync(build.dir)) await rename(build.dir, previous);
    await rename(staging, build.dir);
    await rm(previous, { recursive: true, force: true });
    return result(true);
  });
}

// `npm start`: builds the web app and the server when they are missing or older than their sources,
// then runs the built server in this process. Plain JavaScript, so that a start with fresh builds
// loads no TypeScript compiler at all.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILDS, isFresh, root, SERVER_ENTRY } from './build-stamp.mjs';

const fresh = await Promise.all(Object.values(BUILDS).map((build) => isFresh(build)));
if (fresh.includes(false)) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// Stack traces in logs point into the sources, not into the bundle.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(SERVER_ENTRY).href);

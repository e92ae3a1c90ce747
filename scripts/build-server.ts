// Compiles the server into one JavaScript file, dist/server/main.js, so that `npm start` loads no
// TypeScript: transpiling some 200 modules at every start cost more than a second. Packages stay in
// node_modules (imported as they are); the migrations and the web build are read from the project
// (src/server/paths.ts). What it is made from and how staleness is decided: build-stamp.mjs.
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { BUILDS, type BuildResult, ensureBuild, root, SERVER_ENTRY } from './build-stamp.mjs';

async function make(outDir: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'src/server/main.ts')],
    outfile: join(outDir, basename(SERVER_ENTRY)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

export const ensureServerBuild = (options: { force?: boolean } = {}): Promise<BuildResult> =>
  ensureBuild(BUILDS.server, make, options);

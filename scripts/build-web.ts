// Builds the web app into dist/web (Vite, then precompressed copies); what it is made from and how
// staleness is decided: build-stamp.mjs. Run by scripts/build.ts and by `npm start` when stale.
import { join } from 'node:path';
import { BUILDS, type BuildResult, ensureBuild, root } from './build-stamp.mjs';

async function make(outDir: string, buildId: string): Promise<void> {
  process.env.SKILLED_BUILD_ID = buildId;
  process.env.SKILLED_WEB_OUT_DIR = outDir;
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
}

export const ensureWebBuild = (options: { force?: boolean } = {}): Promise<BuildResult> => ensureBuild(BUILDS.web, make, options);

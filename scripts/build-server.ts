// Compiles the server, with the packages it loads at start, into one JavaScript file,
// dist/server/main.js, so that `npm start` loads no TypeScript (transpiling some 200 modules at every
// start cost more than a second) and resolves no package: finding, reading and linking the thousand
// files of fastify, drizzle, zod, ioredis and the rest took about 0.4 s of every start. The migrations
// and the web build are read from the project (src/server/paths.ts). What it is made from and how
// staleness is decided: build-stamp.mjs.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { BUILDS, type BuildResult, ensureBuild, root, SERVER_ENTRY } from './build-stamp.mjs';

/**
 * Packages loaded from node_modules as they are: those that find files of their own through
 * `import.meta.url` or by a path the bundle cannot know (the embedded database's WebAssembly and data,
 * PDF fonts), native ones, and those loaded only when first used (the PostgreSQL driver, mail, QR codes,
 * the password dictionaries), which a start need not even parse. The optional native helpers of `ws`
 * are absent on purpose.
 */
const EXTERNAL = [
  '@electric-sql/pglite',
  '@node-rs/argon2',
  'pdfkit',
  'pg',
  'pg-native',
  'nodemailer',
  'qrcode',
  '@zxcvbn-ts/*',
  'bufferutil',
  'utf-8-validate',
];

// The bundled CommonJS packages call `require`, which an ES module lacks.
const COMMONJS_GLOBALS = [
  "import { createRequire as __skilledCreateRequire } from 'node:module';",
  "import { join as __skilledJoin } from 'node:path';",
  "import { fileURLToPath as __skilledFileURLToPath } from 'node:url';",
  'const require = __skilledCreateRequire(import.meta.url);',
  // The project's folder, from the bundle's place in it (dist/server/main.js).
  "const __skilledRoot = __skilledFileURLToPath(new URL('../..', import.meta.url));",
].join('\n');

/**
 * A bundled CommonJS module that reads `__dirname` or `__filename` (Swagger UI serving its assets, a
 * package reading its own package.json) gets its own folder in node_modules, found from the bundle's
 * place at run time, so that the build does not depend on where the project sits.
 */
const ownLocation: Plugin = {
  name: 'own-location',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source) || /\bimport\.meta\b|^\s*(import|export)\s/m.test(source)) return undefined;
      const fromRoot = (file: string) => JSON.stringify(relative(root, file).split('\\').join('/'));
      const location =
        `var __dirname = __skilledJoin(__skilledRoot, ${fromRoot(dirname(path))}), ` +
        `__filename = __skilledJoin(__skilledRoot, ${fromRoot(path)});\n`;
      return { contents: location + source, loader: 'js', resolveDir: dirname(path) };
    });
  },
};

async function make(outDir: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'src/server/main.ts')],
    outfile: join(outDir, basename(SERVER_ENTRY)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL.flatMap((name) => (name.endsWith('/*') ? [name] : [name, `${name}/*`])),
    banner: { js: COMMONJS_GLOBALS },
    plugins: [ownLocation],
    // Stack traces are mapped to files and lines; the sources' text is not needed for that, and left out
    // it keeps the map Node reads at every start a third of the size.
    sourcemap: true,
    sourcesContent: false,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
}

export const ensureServerBuild = (options: { force?: boolean } = {}): Promise<BuildResult> =>
  ensureBuild(BUILDS.server, make, options);

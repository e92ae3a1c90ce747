// Where the project's files are, whether the server runs from its sources (src/server, through tsx) or
// from its build (dist/server/main.js, what `npm start` runs): the nearest folder with package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** SQL migrations, applied at start (db/client.ts). */
export const migrationsFolder = join(projectRoot, 'src', 'server', 'db', 'migrations');

/** The built web app served at `/` (http/web.ts). */
export const defaultWebDir = join(projectRoot, 'dist', 'web');

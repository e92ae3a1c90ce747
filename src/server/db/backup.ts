// Backup and restore of the database, whichever it is (`npm run db:backup`, `npm run db:restore`):
// - PostgreSQL (DATABASE_URL): pg_dump's custom format, restored with pg_restore in one transaction,
//   using the PostgreSQL client binaries of this machine. Safe while the servers run.
// - the embedded database (DATA_DIR): a gzipped tarball of its data directory made by PGlite itself
//   (dumpDataDir), restored by loading it into a fresh directory (loadDataDir). The server must be
//   stopped: the data directory's lock is taken, as the server takes it. The replaced directory is
//   kept beside it, so that a restore can be undone.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readSync, closeSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './client.js';

const run = promisify(execFile);

export interface BackupTarget {
  /** PostgreSQL's connection string; unset for the embedded database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
}

export type BackupFormat = 'pg_dump' | 'pglite';

export class BackupError extends Error {}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');

/** A PostgreSQL client binary: on PATH, or in the newest /usr/lib/postgresql/<version>/bin. */
function postgresTool(name: 'pg_dump' | 'pg_restore'): string {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not a Debian layout
  }
  const found = dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!found) throw new BackupError(`${name} was not found: install the PostgreSQL client tools (for example the postgresql-client package).`);
  return found;
}

/** The connection string without its password (which goes in PGPASSWORD, out of the process list). */
function connection(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (url.password) {
    env.PGPASSWORD = decodeURIComponent(url.password);
    url.password = '';
  }
  return { url: url.toString(), env };
}

async function tool(name: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run(postgresTool(name), args, { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new BackupError(`${name} failed: ${stderr || (error as Error).message}`);
  }
}

function embeddedDir(dataDir: string): string {
  const dir = join(dataDir, 'pglite');
  if (!existsSync(join(dir, 'PG_VERSION'))) throw new BackupError(`There is no embedded database in ${resolve(dataDir)} (DATA_DIR).`);
  return dir;
}

/** Writes a backup to `file` (default: ./backups/skilled-<time>.<dump|tar.gz>) and returns where. */
export async function backupDatabase(target: BackupTarget, file?: string): Promise<{ file: string; format: BackupFormat; bytes: number }> {
  const format: BackupFormat = target.databaseUrl ? 'pg_dump' : 'pglite';
  const out = resolve(file ?? join('backups', `skilled-${stamp()}.${format === 'pg_dump' ? 'dump' : 'tar.gz'}`));
  mkdirSync(dirname(out), { recursive: true });
  if (target.databaseUrl) {
    const { url, env } = connection(target.databaseUrl);
    await tool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${out}`, `--dbname=${url}`], env);
  } else {
    const dir = embeddedDir(target.dataDir);
    const unlock = lockDataDir(target.dataDir);
    try {
      const client = await PGlite.create(dir);
      try {
        const tarball = await client.dumpDataDir('gzip');
        writeFileSync(out, Buffer.from(await tarball.arrayBuffer()), { mode: 0o600 });
      } finally {
        await client.close();
      }
    } finally {
      unlock();
    }
  }
  return { file: out, format, bytes: statSync(out).size };
}

function formatOf(file: string): BackupFormat {
  const head = Buffer.alloc(5);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 5, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') === 'PGDMP') return 'pg_dump';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  throw new BackupError(`${file} is neither a pg_dump custom-format file nor an embedded-database backup.`);
}

/**
 * Replaces the database's contents with the backup's. PostgreSQL: in one transaction, so a failed
 * restore changes nothing. Embedded: the current data directory is moved to `pglite.before-restore-<time>`.
 */
export async function restoreDatabase(target: BackupTarget, file: string): Promise<{ format: BackupFormat; previous?: string }> {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist.`);
  const format = formatOf(file);
  if (target.databaseUrl) {
    if (format !== 'pg_dump') throw new BackupError(`${file} is a backup of the embedded database: restore it with DATABASE_URL unset.`);
    const { url, env } = connection(target.databaseUrl);
    await tool(
      'pg_restore',
      ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${url}`, file],
      env,
    );
    return { format };
  }
  if (format !== 'pglite') throw new BackupError(`${file} is a PostgreSQL backup: restore it with DATABASE_URL set.`);
  mkdirSync(target.dataDir, { recursive: true });
  const unlock = lockDataDir(target.dataDir);
  try {
    const dir = join(target.dataDir, 'pglite');
    let previous: string | undefined;
    if (existsSync(dir)) {
      previous = `${dir}.before-restore-${stamp()}`;
      renameSync(dir, previous);
    }
    try {
      const client = await PGlite.create({ dataDir: dir, loadDataDir: new Blob([readFileSync(file)]) });
      await client.query('select 1');
      await client.close();
    } catch (error) {
      // Put the previous database back rather than leave a broken one.
      if (existsSync(dir)) renameSync(dir, `${dir}.failed-restore-${stamp()}`);
      if (previous) renameSync(previous, dir);
      throw new BackupError(`The backup could not be loaded: ${(error as Error).message}`);
    }
    return { format, previous };
  } finally {
    unlock();
  }
}

/** The database the environment points at, as the server reads it (DATABASE_URL, else DATA_DIR). */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): BackupTarget {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new BackupError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  return { databaseUrl, dataDir: resolve(env.DATA_DIR || './data') };
}

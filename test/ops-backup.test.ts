// `npm run db:backup` and `npm run db:restore`, round trip: back up, change and destroy data, restore,
// and the data is as it was; for the embedded database and for PostgreSQL (a private cluster).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDatabase, restoreDatabase } from '../src/server/db/backup.js';
import { type DatabaseHandle, openDatabase, queryRows } from '../src/server/db/client.js';
import { ensureAdminAccount } from '../src/server/features/auth/service.js';
import { emitEvent } from '../src/server/realtime/events.js';
import { announceSkip, postgresUnavailableReason, type PrivatePostgres, privatePostgres } from './support/faults.js';

const root = join(import.meta.dirname, '..');
/** The embedded backup made by the first test, for the PostgreSQL one to refuse. */
let embeddedBackup: string | undefined;
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs an npm script's command as `npm run` would, in a clean environment plus `env`. */
function npmRun(script: 'db:backup' | 'db:restore', args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _db, DATA_DIR: _dir, ...inherited } = process.env;
  const entry = script === 'db:backup' ? 'scripts/db-backup.ts' : 'scripts/db-restore.ts';
  const result = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Writes rows of several kinds: a user (and its audit row), and events. */
async function writeData(database: DatabaseHandle, tag: string) {
  await ensureAdminAccount(database.db, { email: `backup-${tag}@ops.test`, password: 'Backup-pass-123' });
  await database.db.transaction(async (tx) => {
    for (let i = 0; i < 3; i++) {
      await emitEvent(tx, { type: 'course.updated', data: { courseId: '00000000-0000-4000-8000-000000000001', changes: { title: `${tag} ${i}` } }, audience: { admins: true } });
    }
  });
}

/** Everything a restore must bring back, as comparable values. */
async function snapshot(database: DatabaseHandle) {
  return {
    users: await queryRows(database.db, sql`select id, email, password_hash, role, first_name, created_at::text from users order by id`),
    events: await queryRows(database.db, sql`select id::int, type, payload, created_at::text from events order by id`),
    migrations: await queryRows(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
  };
}

/** Changes and destroys data: an update, deletions, and a dropped table. */
async function vandalise(database: DatabaseHandle) {
  await database.db.execute(sql`update users set first_name = 'Changed'`);
  await database.db.execute(sql`delete from events`);
  await database.db.execute(sql`drop table idempotency_keys`);
}

describe('npm run db:backup / db:restore with the embedded database', () => {
  it('round-trips: backup, change and destroy, restore, the data is as it was', async () => {
    const dataDir = tempDir('skilled-backup-pglite-');
    const file = join(tempDir('skilled-backup-out-'), 'embedded.tar.gz');
    embeddedBackup = file;
    let database = await openDatabase({ dataDir });
    await writeData(database, 'embedded');
    const before = await snapshot(database);
    expect(before.events).toHaveLength(3);

    // While a process holds the data directory, the backup refuses instead of copying a live database.
    const refused = npmRun('db:backup', [file], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/in use by another skilled process/);
    await database.close();

    const backup = npmRun('db:backup', [file], { DATA_DIR: dataDir });
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(/Backed up the embedded database/);
    expect(statSync(file).size).toBeGreaterThan(0);

    database = await openDatabase({ dataDir });
    await vandalise(database);
    expect((await snapshot(database)).events).toEqual([]);
    await database.close();

    const restore = npmRun('db:restore', [file], { DATA_DIR: dataDir });
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toMatch(/The replaced database was kept in/);
    expect(readdirSync(dataDir).some((name) => name.startsWith('pglite.before-restore-'))).toBe(true);

    database = await openDatabase({ dataDir });
    try {
      expect(await snapshot(database)).toEqual(before);
      expect(await queryRows(database.db, sql`select count(*)::int as n from idempotency_keys`)).toEqual([{ n: 0 }]);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('explains what is wrong: no database there, no file, no file named', async () => {
    const empty = tempDir('skilled-backup-empty-');
    await expect(backupDatabase({ dataDir: empty }, join(empty, 'x.tar.gz'))).rejects.toThrow(/^There is no embedded database in /);
    expect(existsSync(join(empty, 'pglite'))).toBe(false);
    await expect(restoreDatabase({ dataDir: empty }, join(empty, 'nothing.tar.gz'))).rejects.toThrow(/does not exist/);
    await expect(restoreDatabase({ dataDir: empty }, import.meta.filename)).rejects.toThrow(/is neither a pg_dump custom-format file nor an embedded-database backup/);
    const usage = npmRun('db:restore', [], { DATA_DIR: empty });
    expect(usage.code).toBe(2);
    expect(usage.output).toMatch(/Usage: npm run db:restore -- <backup file>/);
  });
});

const skipPostgres = announceSkip('PostgreSQL backup round trip', postgresUnavailableReason());

describe.skipIf(skipPostgres)('npm run db:backup / db:restore with PostgreSQL', () => {
  let postgres: PrivatePostgres | undefined;
  afterAll(() => postgres?.destroy());

  it('round-trips through pg_dump and pg_restore, and refuses an embedded backup', async () => {
    postgres = await privatePostgres();
    const env = { DATABASE_URL: postgres.url, DATA_DIR: tempDir('skilled-backup-pg-') };
    const file = join(tempDir('skilled-backup-out-'), 'postgres.dump');
    let database = await openDatabase({ databaseUrl: postgres.url });
    await writeData(database, 'postgres');
    const before = await snapshot(database);
    await database.close();

    const backup = npmRun('db:backup', [file], env);
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(/Backed up the PostgreSQL database \(pg_dump custom format\)/);

    database = await openDatabase({ databaseUrl: postgres.url });
    await vandalise(database);
    await database.close();

    const restore = npmRun('db:restore', [file], env);
    expect(restore.code, restore.output).toBe(0);
    database = await openDatabase({ databaseUrl: postgres.url });
    try {
      expect(await snapshot(database)).toEqual(before);
      expect(await queryRows(database.db, sql`select count(*)::int as n from idempotency_keys`)).toEqual([{ n: 0 }]);
    } finally {
      await database.close();
    }

    // A backup of the embedded database cannot be restored into PostgreSQL, and the other way round.
    const target = { databaseUrl: postgres.url, dataDir: env.DATA_DIR };
    if (embeddedBackup) {
      await expect(restoreDatabase(target, embeddedBackup)).rejects.toThrow(/is a backup of the embedded database: restore it with DATABASE_URL unset/);
    }
    await expect(restoreDatabase({ dataDir: env.DATA_DIR }, file)).rejects.toThrow(/is a PostgreSQL backup: restore it with DATABASE_URL set/);
  }, 90_000);
});

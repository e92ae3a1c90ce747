// npm run db:backup [-- <file>]: backs up the database that DATABASE_URL (PostgreSQL) or DATA_DIR (the
// embedded database; stop the server first) points at.
import { BackupError, backupDatabase, targetFromEnv } from '../src/server/db/backup.js';
import { DataDirLockedError } from '../src/server/db/client.js';

try {
  const target = targetFromEnv();
  const { file, format, bytes } = await backupDatabase(target, process.argv[2]);
  const what = format === 'pg_dump' ? 'PostgreSQL database (pg_dump custom format)' : `embedded database in ${target.dataDir}`;
  console.log(`Backed up the ${what} to ${file} (${bytes} bytes).`);
} catch (error) {
  if (!(error instanceof BackupError || error instanceof DataDirLockedError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

// npm run db:restore -- <file>: replaces the contents of the database that DATABASE_URL (PostgreSQL) or
// DATA_DIR (the embedded database; stop the server first) points at with a backup made by db:backup.
import { BackupError, restoreDatabase, targetFromEnv } from '../src/server/db/backup.js';
import { DataDirLockedError } from '../src/server/db/client.js';

const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run db:restore -- <backup file>');
  process.exit(2);
}
try {
  const target = targetFromEnv();
  const { format, previous } = await restoreDatabase(target, file);
  if (format === 'pg_dump') console.log(`Restored ${file} into the PostgreSQL database.`);
  else console.log(`Restored ${file} into ${target.dataDir}.${previous ? ` The replaced database was kept in ${previous}.` : ''}`);
} catch (error) {
  if (!(error instanceof BackupError || error instanceof DataDirLockedError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

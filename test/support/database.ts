// A database of the test's own, opened in the test process: the embedded one, or a fresh PostgreSQL
// database when DATABASE_URL is set (dropped again on close).
import { type DatabaseHandle, openDatabase } from '../../src/server/db/client.js';
import { freshPostgresDatabase } from './process.js';

export async function openTestDatabase(prefix: string): Promise<{ handle: DatabaseHandle; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await openDatabase({});
    return { handle, close: () => handle.close() };
  }
  const database = await freshPostgresDatabase(url, prefix);
  const handle = await openDatabase({ databaseUrl: database.url, poolSize: 4 });
  return {
    handle,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

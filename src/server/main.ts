// Process entry: config, database, demo data, listen, graceful shutdown.
import { count } from 'drizzle-orm';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError, openDatabase } from './db/client.js';
import { users } from './db/schema.js';
import { seedDemoData } from './db/seed.js';
import { ensureAdminAccount } from './features/auth/service.js';

async function main() {
  const config = loadConfig();
  const startedAt = Date.now();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const app = await buildApp({ config, database });
  const log = app.log;
  log.info({ database: database.kind, dataDir: config.dataDir }, 'database ready');

  const [{ users: userCount } = { users: 0 }] = await database.db.select({ users: count() }).from(users);
  // Demo data by default only for a brand-new embedded database; PostgreSQL only when asked.
  const seed = config.seedDemo ?? (database.kind === 'pglite' && userCount === 0);
  if (seed) {
    const result = await seedDemoData(database.db);
    log.info(result, result.seeded ? 'demo data loaded' : 'demo data already present');
  }
  if (config.admin) {
    const admin = await ensureAdminAccount(database.db, config.admin);
    log.info({ email: config.admin.email, created: admin.created }, 'admin account ensured');
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await database.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  log.info({ startupMs: Date.now() - startedAt }, `skillEd is running at http://localhost:${config.port}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(error.message);
  } else {
    console.error('skillEd failed to start:', error);
  }
  process.exit(1);
});

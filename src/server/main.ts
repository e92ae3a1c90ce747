// Process entry: config, database, demo data, listen, graceful shutdown.
import { count } from 'drizzle-orm';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError, openDatabase } from './db/client.js';
import { users } from './db/schema.js';
import { seedDemoData } from './db/seed.js';
import { ensureAdminAccount } from './features/auth/service.js';

/** How long open keep-alive connections may still bring requests once the listener is closed. */
const DRAIN_GRACE_MS = 1_000;

async function main() {
  const config = loadConfig();
  const startedAt = Date.now();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePool.size,
    connectTimeoutMs: config.databasePool.connectTimeoutMs,
  });
  // The analytics' read replica: its own pool of the same size, never migrated (config.ts makes sure
  // DATABASE_URL is set too).
  const readReplica = config.databaseReadUrl
    ? await openDatabase({
        databaseUrl: config.databaseReadUrl,
        poolSize: config.databasePool.size,
        connectTimeoutMs: config.databasePool.connectTimeoutMs,
        readReplica: true,
      })
    : undefined;
  const closeDatabases = () => Promise.all([database.close(), readReplica?.close()]);
  const app = await buildApp({ config, database, readReplica });
  const log = app.log;
  log.info({ database: database.kind, readReplica: Boolean(readReplica), dataDir: config.dataDir }, 'database ready');

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

  // Graceful shutdown: the listener closes so that no new connection is accepted (a load balancer sends
  // them to the other instances), open keep-alive connections serve their last requests for a moment
  // (http/draining.ts), real-time clients are told to reconnect elsewhere (1012), requests in flight
  // finish (for SHUTDOWN_TIMEOUT_SECONDS at most, all steps included), then the databases are closed.
  // A second signal does not interrupt it.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out: cutting the requests still running');
      app.server.closeAllConnections();
      void closeDatabases().finally(() => process.exit(1));
      setTimeout(() => process.exit(1), 1_000).unref();
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await app.stopAccepting(Math.min(DRAIN_GRACE_MS, config.shutdownTimeoutMs / 4));
      await app.close();
      await closeDatabases();
      clearTimeout(force);
      log.info({ durationMs: Date.now() - started }, 'shut down cleanly');
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

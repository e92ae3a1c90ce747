// What tells this database apart from others: its cluster's system identifier and its name. What the
// platform keeps in a shared service (Redis) is keyed by it, so that deployments of different databases
// sharing that service never see each other's events, sign-outs or counters.
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from './client.js';

/** A Redis server shared by deployments, and the part of it that is this database's. */
export interface SharedRedis {
  url: string;
  namespace: string;
}

export async function databaseIdentity(db: Executor): Promise<string> {
  const [identity] = await queryRows<{ cluster: string; name: string }>(
    db,
    sql`select system_identifier::text as cluster, current_database() as name from pg_control_system()`,
  );
  return `${identity!.cluster}:${identity!.name}`;
}

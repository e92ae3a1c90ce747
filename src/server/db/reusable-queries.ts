import type { Executor } from './client.js';

interface Prepared<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

interface Preparable<R> {
  prepare(name: string): Prepared<R>;
}

const names = new Set<string>();

/**
 * A query that drizzle builds once per database instead of on every run: building a select's SQL text
 * (its columns, joins and conditions) costs the app more time than PostgreSQL takes to answer most of the
 * app's reads. Its values are placeholders (`sql.placeholder('studentId')`) given on each run. The name
 * must be unique to the query: on PostgreSQL it names the prepared statement of each connection. A query is
 * built once for each database or transaction it runs on.
 */
export function reusableQuery<R, Values extends Record<string, unknown>>(
  name: string,
  build: (db: Executor) => Preparable<R>,
): (db: Executor, values: Values) => Promise<R> {
  if (names.has(name)) throw new Error(`Two reusable queries are named ${name}`);
  names.add(name);
  const built = new WeakMap<Executor, Prepared<R>>();
  return (db, values) => {
    let query = built.get(db);
    if (!query) built.set(db, (query = build(db).prepare(name)));
    return query.execute(values);
  };
}

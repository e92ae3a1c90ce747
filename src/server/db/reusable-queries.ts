import { type Placeholder, sql } from 'drizzle-orm';
import type { Executor } from './client.js';

interface Prepared<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

interface Preparable<R> {
  prepare(name: string): Prepared<R>;
}

const names = new Set<string>();

/**
 * What a database or transaction sends its statements through: the pool (or the embedded database) for a
 * database, the pooled connection for a transaction on PostgreSQL. Transactions that take the same
 * connection share it, so a query built for one serves the next; drizzle keeps it as `session.client`.
 */
const connectionOf = (db: Executor): object => (db as unknown as { session?: { client?: object } }).session?.client ?? db;

/**
 * A query that drizzle builds once per connection instead of on every run: building a statement's SQL text
 * (its columns, joins and conditions) costs the app more time than PostgreSQL takes to answer most of the
 * app's statements. Its values are placeholders (`sql.placeholder('studentId')`) given on each run. The name
 * must be unique to the query: on PostgreSQL it names the prepared statement of each connection. It is
 * built once for a database and once for each pooled connection its transactions run on (on the embedded
 * database, whose transactions each get a new handle, once per transaction).
 *
 * An insert's placeholder goes through its column's conversion (a Date to ISO text, an object to JSON),
 * which fails on null for a timestamp and makes a jsonb null the JSON value `null`: write a nullable
 * timestamp or jsonb value as sql`${sql.placeholder(name)}`, which the driver converts instead. A column
 * with a `$defaultFn` needs its value given: the function would run only once, at build time.
 */
export function reusableQuery<R, Values extends Record<string, unknown>>(
  name: string,
  build: (db: Executor) => Preparable<R>,
): (db: Executor, values: Values) => Promise<R> {
  if (names.has(name)) throw new Error(`Two reusable queries are named ${name}`);
  names.add(name);
  const built = new WeakMap<object, Prepared<R>>();
  return (db, values) => {
    const connection = connectionOf(db);
    let query = built.get(connection);
    if (!query) built.set(connection, (query = build(db).prepare(name)));
    return query.execute(values);
  };
}

/** Values given on each run, each a placeholder named as its column: `.values(placeholders('userId', 'title'))`. */
export const placeholders = <const Name extends string>(...names: Name[]): { [K in Name]: Placeholder<K> } =>
  Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as { [K in Name]: Placeholder<K> };

/**
 * The values of a statement built from several parts (an update with inserts as its WITH queries), each
 * part's values named by its placeholders. Parts may share a placeholder only for the same value.
 */
export function combinedValues(...parts: readonly Record<string, unknown>[]): Record<string, unknown> {
  const combined: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part)) {
      if (name in combined && !sameValue(combined[name], value)) throw new Error(`Two parts of one statement give the placeholder ${name} different values`);
      combined[name] = value;
    }
  }
  return combined;
}

const sameValue = (a: unknown, b: unknown): boolean => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : Object.is(a, b));

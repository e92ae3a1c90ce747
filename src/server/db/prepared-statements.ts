import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';

/**
 * PostgreSQL parses and plans an unnamed statement on every execution; for the app's short, index-bound
 * statements that planning costs more than running them. A statement the app has sent before is
 * therefore sent as a named prepared statement: each connection parses it once, and PostgreSQL may keep
 * a generic plan for it. Bounded on both sides, because PostgreSQL keeps a connection's prepared
 * statements for the connection's life and statements with lists of varying length have many texts.
 */
const MAX_PREPARED_PER_CONNECTION = 500;
const MAX_KNOWN_TEXTS = 5000;

/**
 * Queue claims (`for update skip locked`) are planned on every run instead. A queue goes from empty to
 * hundreds of thousands of rows in seconds (a platform-wide announcement's mail), and PostgreSQL replaces a
 * kept plan only when the table's statistics are next updated: a plan made while the queue was nearly
 * empty (a sequential scan of it per claimed row) took minutes per claim once 196,000 mails were waiting.
 * Claims run a few times a second at most, so their planning costs nothing that matters.
 */
const PLANNED_ON_EVERY_RUN = /\bskip locked\b/i;

/** Statement text → its name once it has been seen twice; a text seen once maps to `null`. */
const knownTexts = new Map<string, string | null>();

function statementName(text: string): string | undefined {
  const known = knownTexts.get(text);
  if (known) return known;
  if (known === null) {
    const name = `s_${createHash('sha1').update(text).digest('base64url')}`;
    knownTexts.set(text, name);
    return name;
  }
  if (knownTexts.size < MAX_KNOWN_TEXTS) knownTexts.set(text, null);
  return undefined;
}

interface QueryConfigShape {
  name?: string;
  text?: unknown;
  values?: unknown;
  submit?: unknown;
}

/** Makes `client` send statements it has seen before as named prepared statements. */
export function prepareRepeatedStatements(client: ClientBase, { maxPrepared = MAX_PREPARED_PER_CONNECTION } = {}): void {
  const prepared = new Set<string>();
  const send = client.query.bind(client) as (config: unknown, values?: unknown, callback?: unknown) => unknown;
  const query = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    if (typeof config !== 'string' && (typeof config !== 'object' || config === null)) return send(config, values, callback);
    const shape: QueryConfigShape = typeof config === 'string' ? { text: config } : (config as QueryConfigShape);
    const parameters = Array.isArray(values) ? values : shape.values;
    // Only parameterised statements: the others (BEGIN, COMMIT, SAVEPOINT, LISTEN) go by the simple
    // protocol, which has no prepared form.
    if (shape.name || typeof shape.submit === 'function' || typeof shape.text !== 'string') return send(config, values, callback);
    if (!Array.isArray(parameters) || parameters.length === 0) return send(config, values, callback);
    if (PLANNED_ON_EVERY_RUN.test(shape.text)) return send(config, values, callback);
    const name = statementName(shape.text);
    if (!name || (!prepared.has(name) && prepared.size >= maxPrepared)) return send(config, values, callback);
    prepared.add(name);
    return send({ ...shape, name }, values, callback);
  };
  client.query = query as typeof client.query;
}

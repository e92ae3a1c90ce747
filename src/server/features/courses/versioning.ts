// Optimistic concurrency for edits of courses and lessons. A resource's ETag is
// `"v<version>.<hash>"`: the version is its `updatedAt` in milliseconds (every edit moves it forward),
// the hash covers the whole representation so that `If-None-Match` on a GET stays exact. `If-Match`
// compares only the version, so an edit is refused when the resource itself changed since the client
// read it, not when someone merely rated or joined the course.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { AppError } from '../../http/errors.js';

/** What `If-Match` asks for: any current version (`*`), or one of the listed versions. */
export type Precondition = { any: true } | { any: false; versions: number[] };

export function entityTag(updatedAt: string | Date, representation: unknown): string {
  const version = new Date(updatedAt).getTime();
  const hash = createHash('sha1').update(JSON.stringify(representation)).digest('base64url').slice(0, 16);
  return `"v${version}.${hash}"`;
}

/** Parses an `If-Match` header. Weak tags never match: an edit needs strong comparison. */
export function parseIfMatch(header: string | string[] | undefined): Precondition | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value.trim() === '*') return { any: true };
  const versions: number[] = [];
  for (const match of value.matchAll(/(W\/)?"([^"]*)"/g)) {
    if (match[1]) continue;
    const version = /^v(\d+)\./.exec(match[2] ?? '');
    if (version) versions.push(Number(version[1]));
  }
  return { any: false, versions };
}

export const isSatisfied = (precondition: Precondition | undefined, updatedAt: Date): boolean =>
  !precondition || precondition.any || precondition.versions.includes(updatedAt.getTime());

/**
 * The next `updatedAt` of an edited row: now, but always at least a millisecond after the previous
 * one, so that two edits within the same millisecond still give two versions.
 */
export const nextVersion = (column: AnyPgColumn) => sql`greatest(now(), ${column} + interval '1 millisecond')`;

/** An edit sent with a stale `If-Match`; carries the current representation for the 412 answer. */
export class StaleVersionError<T> extends AppError {
  readonly etag: string;
  constructor(
    readonly current: T & { updatedAt: string },
    what: string,
  ) {
    super('PRECONDITION_FAILED', `The ${what} was changed by someone else since you loaded it; review the current version and retry`);
    this.etag = entityTag(current.updatedAt, current);
  }
}

/** The 412 body: the usual error envelope plus the current representation. */
export function staleVersionBody<T>(error: StaleVersionError<T>, requestId: string) {
  return { error: error.message, status: error.status, code: error.code, requestId, current: error.current };
}

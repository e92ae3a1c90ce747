import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * `column` is one of the ids `claimed` selects, read once. Claims pick a batch with `limit … for update skip
 * locked`; written as `id in (…)`, the planner may rescan that subquery for every row of the table (a
 * nested loop it picks when it believes the table nearly empty), which sorts and locks the whole queue
 * once per row. An ARRAY subquery is evaluated once, before the update reads the table. (Claims are also
 * planned on every run: see prepared-statements.ts.)
 */
export const oneReadOf = (column: AnyPgColumn, claimed: SQL | { getSQL(): SQL }): SQL => sql`${column} = any(array(${claimed}))`;

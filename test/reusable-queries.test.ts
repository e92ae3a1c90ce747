// A query built once per database answers each run with that run's values, and inside a transaction runs
// on the transaction (it sees the transaction's own uncommitted rows); transactions on one connection share
// one build; a statement built from parts writes all of them or none. On the embedded database, and on
// PostgreSQL when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, queryRows } from '../src/server/db/client.js';
import { combinedValues, reusableQuery } from '../src/server/db/reusable-queries.js';
import { activities, auditLog, users } from '../src/server/db/schema.js';
import { activityRowInsert, activityRowValues } from '../src/server/features/analytics/activity.js';
import { auditRowInsert, auditRowValues, recordAudit } from '../src/server/features/audit/log.js';
import { openTestDatabase } from './support/database.js';

const databaseUrl = process.env.DATABASE_URL;

let builds = 0;
const countedUsernameOf = reusableQuery('test_counted_username_of_user', (db) => {
  builds += 1;
  return db
    .select({ username: users.username })
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')));
});

const usernameOf = reusableQuery('test_username_of_user', (db) =>
  db
    .select({ username: users.username })
    .from(users)
    .where(eq(users.id, sql.placeholder('userId'))),
);

/** An update with two inserts as its WITH queries, the way a lesson completion writes its rows. */
const renameWithRecords = reusableQuery('test_rename_with_records', (db) =>
  db
    .with(db.$with('audit_row').as(auditRowInsert(db)), db.$with('activity_row').as(activityRowInsert(db)))
    .update(users)
    .set({ firstName: sql`${sql.placeholder('firstName')}` })
    .where(eq(users.id, sql.placeholder('userId'))),
);

describe(`reusable queries (${databaseUrl ? 'PostgreSQL' : 'embedded database'})`, () => {
  let handle: DatabaseHandle;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ handle, close } = await openTestDatabase('skilled_reusable'));
  });
  afterAll(() => close?.());

  const newUser = (username: string) => ({
    id: randomUUID(),
    email: `${username}@example.test`,
    passwordHash: 'not-a-real-hash',
    firstName: 'Reusable',
    lastName: 'Query',
    username,
  });

  it('answers each run with its own values', async () => {
    const [ada, grace] = [newUser(`ada_${Date.now()}`), newUser(`grace_${Date.now()}`)];
    await handle.db.insert(users).values([ada, grace]);
    expect(await usernameOf(handle.db, { userId: ada.id })).toEqual([{ username: ada.username }]);
    expect(await usernameOf(handle.db, { userId: grace.id })).toEqual([{ username: grace.username }]);
    const both = await Promise.all([usernameOf(handle.db, { userId: grace.id }), usernameOf(handle.db, { userId: ada.id })]);
    expect(both).toEqual([[{ username: grace.username }], [{ username: ada.username }]]);
    expect(await usernameOf(handle.db, { userId: randomUUID() })).toEqual([]);
  });

  it('runs inside the transaction it is given, which sees its own uncommitted rows', async () => {
    const alan = newUser(`alan_${Date.now()}`);
    const seen = await handle.db.transaction(async (tx) => {
      await tx.insert(users).values(alan);
      return usernameOf(tx, { userId: alan.id });
    });
    expect(seen).toEqual([{ username: alan.username }]);

    // Rolled back: gone, and the query built for the database says so.
    const rollback = new Error('rollback');
    const carl = newUser(`carl_${Date.now()}`);
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.insert(users).values(carl);
        expect(await usernameOf(tx, { userId: carl.id })).toEqual([{ username: carl.username }]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await usernameOf(handle.db, { userId: carl.id })).toEqual([]);
  });

  it('is built once for the connection that transactions run on, not once per transaction', async () => {
    const before = builds;
    for (let round = 0; round < 3; round++) {
      const user = newUser(`round${round}_${Date.now()}`);
      const seen = await handle.db.transaction(async (tx) => {
        await tx.insert(users).values(user);
        return countedUsernameOf(tx, { userId: user.id });
      });
      expect(seen).toEqual([{ username: user.username }]);
    }
    // One after the other, PostgreSQL's transactions take the same pooled connection; each embedded
    // transaction is a new handle, which builds its own.
    expect(builds - before).toBe(databaseUrl ? 1 : 3);
  });

  it('writes an absent jsonb value as SQL null and a given one as JSON', async () => {
    const requestId = `reusable-${Date.now()}`;
    await handle.db.transaction(async (tx) => {
      await recordAudit(tx, { ip: '127.0.0.1', requestId }, { action: 'test.absent', targetType: 'test' });
      await recordAudit(tx, { ip: '127.0.0.1', requestId }, { action: 'test.given', targetType: 'test', before: { a: 1 }, after: { b: [2] } });
    });
    const rows = await queryRows<{ action: string; before_is_null: boolean; after_type: string | null; after: unknown }>(
      handle.db,
      sql`select action, before is null as before_is_null, jsonb_typeof(after) as after_type, after
            from ${auditLog} where request_id = ${requestId} order by action`,
    );
    expect(rows).toEqual([
      { action: 'test.absent', before_is_null: true, after_type: null, after: null },
      { action: 'test.given', before_is_null: false, after_type: 'object', after: { b: [2] } },
    ]);
  });

  it('writes every part of a statement built from parts, or none of them when its transaction rolls back', async () => {
    const requestId = `parts-${Date.now()}`;
    const write = (userId: string, firstName: string) =>
      combinedValues(
        { userId, firstName },
        auditRowValues({ id: userId, role: 'student', ip: '127.0.0.1', requestId }, { action: 'test.rename', targetType: 'user', targetId: userId, after: { firstName } }),
        activityRowValues({ userId, type: 'signed_in', title: `Renamed ${firstName}` }),
      );
    const [kept, dropped] = [newUser(`parts_kept_${Date.now()}`), newUser(`parts_dropped_${Date.now()}`)];
    await handle.db.insert(users).values([kept, dropped]);
    await handle.db.transaction((tx) => renameWithRecords(tx, write(kept.id, 'Kept')));
    const rollback = new Error('rollback');
    await expect(
      handle.db.transaction(async (tx) => {
        await renameWithRecords(tx, write(dropped.id, 'Dropped'));
        throw rollback;
      }),
    ).rejects.toBe(rollback);

    const names = await queryRows<{ id: string; first_name: string }>(handle.db, sql`select id, first_name from ${users} where id in (${kept.id}, ${dropped.id})`);
    expect(Object.fromEntries(names.map((row) => [row.id, row.first_name]))).toEqual({ [kept.id]: 'Kept', [dropped.id]: 'Reusable' });
    const audit = await queryRows<{ actor_id: string; after: unknown }>(handle.db, sql`select actor_id, after from ${auditLog} where request_id = ${requestId}`);
    expect(audit).toEqual([{ actor_id: kept.id, after: { firstName: 'Kept' } }]);
    const timeline = await queryRows<{ user_id: string; title: string }>(
      handle.db,
      sql`select user_id, title from ${activities} where user_id in (${kept.id}, ${dropped.id})`,
    );
    expect(timeline).toEqual([{ user_id: kept.id, title: 'Renamed Kept' }]);
  });

  it('refuses parts that give one placeholder two values', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(combinedValues({ userId: 'a', at }, { userId: 'a', at: new Date(at.getTime()) })).toEqual({ userId: 'a', at });
    expect(() => combinedValues({ userId: 'a' }, { userId: 'b' })).toThrow(/placeholder userId/);
  });
});

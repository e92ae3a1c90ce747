// A query built once per database answers each run with that run's values, and inside a transaction runs
// on the transaction (it sees the transaction's own uncommitted rows). On the embedded database, and on
// PostgreSQL when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/server/db/client.js';
import { reusableQuery } from '../src/server/db/reusable-queries.js';
import { users } from '../src/server/db/schema.js';
import { openTestDatabase } from './support/database.js';

const databaseUrl = process.env.DATABASE_URL;

const usernameOf = reusableQuery('test_username_of_user', (db) =>
  db
    .select({ username: users.username })
    .from(users)
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
});

// On PostgreSQL a parameterised statement the app has sent before goes as a named prepared statement, so
// that each connection parses it once and may keep its plan; within a bound per connection. Needs
// DATABASE_URL (the embedded database has no such cost).
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase, queryRows } from '../src/server/db/client.js';
import { prepareRepeatedStatements } from '../src/server/db/prepared-statements.js';
import { users } from '../src/server/db/schema.js';
import { freshPostgresDatabase } from './support/process.js';

const databaseUrl = process.env.DATABASE_URL;

/** The named statements of this connection whose text contains `marker` (asked without parameters, so unprepared). */
async function preparedWith(client: pg.Client, marker: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select name from pg_prepared_statements where statement like ${client.escapeLiteral(`%${marker}%`)} and name like 's\\_%' order by name`,
  );
  return rows.map((row) => row.name);
}

describe.runIf(Boolean(databaseUrl))('prepared statements on PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    prepareRepeatedStatements(client, { maxPrepared: 2 });
  });
  afterAll(() => client.end());

  it('prepares a statement from its second run, with the same answers, and never one without parameters', async () => {
    const text = `select $1::int + 1 as next /* repeated-${process.pid} */`;
    expect((await client.query(text, [1])).rows).toEqual([{ next: 2 }]);
    expect(await preparedWith(client, `repeated-${process.pid}`)).toEqual([]);
    expect((await client.query({ text, values: [2] })).rows).toEqual([{ next: 3 }]);
    expect((await client.query(text, [41])).rows).toEqual([{ next: 42 }]);
    expect(await preparedWith(client, `repeated-${process.pid}`)).toHaveLength(1);

    const plain = `select 1 as one /* plain-${process.pid} */`;
    for (let run = 0; run < 3; run++) expect((await client.query(plain)).rows).toEqual([{ one: 1 }]);
    expect(await preparedWith(client, `plain-${process.pid}`)).toEqual([]);
  });

  it('never prepares a queue claim (for update skip locked), which is planned on every run', async () => {
    // A slot is free (the bound is 2, the first test took one): a prepared claim would take it.
    const claim = `select n from (values ($1::int)) as queue(n) for update skip locked /* claim-${process.pid} */`;
    for (let run = 0; run < 3; run++) expect((await client.query(claim, [run])).rows).toEqual([{ n: run }]);
    expect(await preparedWith(client, `claim-${process.pid}`)).toEqual([]);
  });

  it('keeps no more than its bound per connection; the statements past it still run, unprepared', async () => {
    for (const n of [1, 2, 3]) {
      const text = `select $1::int * ${n} as product /* bound-${process.pid}-${n} */`;
      for (let run = 0; run < 3; run++) expect((await client.query(text, [7])).rows).toEqual([{ product: 7 * n }]);
    }
    // One slot went to the first test's statement, one to the first of these; the others run unnamed.
    expect(await preparedWith(client, `bound-${process.pid}`)).toHaveLength(1);
    expect(await preparedWith(client, `repeated-${process.pid}`)).toHaveLength(1);
  });
});

describe.runIf(Boolean(databaseUrl))("the app's PostgreSQL pool", () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await freshPostgresDatabase(databaseUrl!, 'skilled_prepared');
    drop = database.drop;
    handle = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
  });
  afterAll(async () => {
    await handle.close();
    await drop();
  });

  it("sends drizzle's repeated statements prepared, and they answer as before", async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await handle.db.transaction(async (tx) => {
      for (let run = 0; run < 3; run++) {
        expect(await tx.select({ id: users.id }).from(users).where(eq(users.id, id))).toEqual([]);
      }
      const named = await queryRows<{ name: string }>(
        tx,
        sql`select name from pg_prepared_statements where statement like ${'%from "users" where "users"."id" = $1%'}`,
      );
      expect(named).toHaveLength(1);
      expect(named[0]!.name).toMatch(/^s_/);
    });
  });
});

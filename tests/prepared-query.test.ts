import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/src/db/database.js';
import { prepareListQuery, prepareQuery } from '../server/src/db/prepared-query.js';

// The prepared queries run on a table of their own, through the same SQLite handle setup as the app.
const db = openDatabase('sqlite::memory:') as any;

beforeEach(async () => {
  await sql`create table notes (id integer primary key, owner integer not null, body text not null)`.execute(db);
  await sql`create index notes_owner on notes (owner, id)`.execute(db);
  const rows = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, owner: (i % 3) + 1, body: `note ${i + 1}` }));
  await db.insertInto('notes').values(rows).execute();
});

afterEach(async () => {
  await sql`drop table notes`.execute(db);
});

afterAll(() => db.destroy());

const pageOf = () =>
  prepareListQuery(db, 3, (owner: number, limit: number, offset: number) =>
    db.selectFrom('notes').select(['id', 'body']).where('owner', '=', owner).orderBy('id', 'desc').limit(limit).offset(offset),
  );

describe('prepared queries on SQLite', () => {
  it('answers the page asked for each time it runs, with new owner, limit and offset values', async () => {
    const page = pageOf();
    expect(await page(1, 2, 0)).toEqual([{ id: 28, body: 'note 28' }, { id: 25, body: 'note 25' }]);
    expect(await page(2, 3, 1)).toEqual([{ id: 26, body: 'note 26' }, { id: 23, body: 'note 23' }, { id: 20, body: 'note 20' }]);
    expect(await page(3, 5, 9)).toEqual([{ id: 3, body: 'note 3' }]);
    expect(await page(4, 5, 0)).toEqual([]);
  });

  it('binds the right values when the SQL text holds a "?" that is not a parameter', async () => {
    const find = prepareQuery(db, 1, (id: number) =>
      db.selectFrom('notes').select(['id', sql<string>`'why?'`.as('question')]).where('id', '=', id),
    );
    expect(await find(7)).toEqual({ id: 7, question: 'why?' });
    expect(await find(8)).toEqual({ id: 8, question: 'why?' });
    expect(await find(99)).toBeUndefined();
  });

  it('hands back rows as objects named after their columns through Kysely too, read at once or streamed', async () => {
    const query = db.selectFrom('notes').select(['id', 'owner as who']).where('owner', '=', 2).orderBy('id').limit(2);
    expect(await query.execute()).toEqual([{ id: 2, who: 2 }, { id: 5, who: 2 }]);
    const streamed = [];
    for await (const row of query.stream()) streamed.push(row);
    expect(streamed).toEqual([{ id: 2, who: 2 }, { id: 5, who: 2 }]);
  });

  it('sees a changed table after a schema change, with the new column in its rows', async () => {
    const query = db.selectFrom('notes').selectAll().where('id', '=', 1);
    expect(await query.execute()).toEqual([{ id: 1, owner: 1, body: 'note 1' }]);
    await sql`alter table notes add column pinned integer not null default 0`.execute(db);
    expect(await query.execute()).toEqual([{ id: 1, owner: 1, body: 'note 1', pinned: 0 }]);
  });
});

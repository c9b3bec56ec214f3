import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findSeriesById, insertOccurrence, occurrenceTaskId } from '../../db/series.js';
import { createSql, transaction, type Sql } from '../../db/sql.js';
import type { TaskId } from '../../domain/ids.js';
import { apiUser, uniqueUser, type ApiUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';

// deleteTasks and stopSeries on the same series at the same moment. Both lock the series and
// its upcoming occurrences; taken in opposite orders, PostgreSQL broke the tie by aborting one
// of them (40P01), and the client got INTERNAL_SERVER_ERROR. With one lock order (the series
// first, then its tasks by id) they simply take turns.

const CREATE = /* GraphQL */ `
  mutation ($input: CreateSeriesInput!) {
    createSeries(input: $input) {
      id
    }
  }
`;
const DELETE = `mutation($ids: [ID!]!) { deleteTasks(ids: $ids) { deletedIds } }`;
const STOP = `mutation($id: ID!) { stopSeries(id: $id) { id state } }`;

const ROUNDS = 40;
const OCCURRENCES = 4;

describe('deleteTasks racing stopSeries', () => {
  let sql: Sql;
  let user: ApiUser;
  before(async () => {
    sql = createSql(testEnv.databaseUrl, { applicationName: 'test-lock-order', max: 4 });
    user = await apiUser(uniqueUser('lock-order'));
  });
  after(() => sql.end({ timeout: 1 }));

  /** A series starting in 2031 with OCCURRENCES upcoming occurrences already created. */
  async function seriesWithOccurrences(round: number): Promise<{ id: string; tasks: TaskId[] }> {
    const { createSeries } = await user.ok<{ createSeries: { id: string } }>(CREATE, {
      input: {
        title: `race ${round}`,
        rrule: 'FREQ=DAILY',
        dtstart: '2031-01-01T09:00:00',
        timeZone: 'UTC',
      },
    });
    const series = (await findSeriesById(sql, createSeries.id))!;
    const tasks: TaskId[] = [];
    for (let day = 1; day <= OCCURRENCES; day++) {
      const start = new Date(Date.UTC(2031, 0, day, 9));
      // The series workflow may have created the first one already: insertOccurrence is a no-op
      // then. It may also be creating one right now: transaction() retries if the two deadlock.
      await transaction(sql, (tx) =>
        insertOccurrence(tx, { id: crypto.randomUUID() as TaskId, series, start }),
      );
      tasks.push((await occurrenceTaskId(sql, series.id, start))!);
    }
    return { id: series.id, tasks };
  }

  test(`${ROUNDS} rounds, each both at once: no client sees INTERNAL_SERVER_ERROR`, async () => {
    const codes = new Map<string, number>();
    const count = (code: string) => codes.set(code, (codes.get(code) ?? 0) + 1);
    const rounds = [await seriesWithOccurrences(0)];
    rounds.push(
      ...(await Promise.all(
        Array.from({ length: ROUNDS - 1 }, (_, i) => seriesWithOccurrences(i + 1)),
      )),
    );
    await Promise.all(
      rounds.map(async ({ id, tasks }) => {
        // Deleting the last occurrences first and the series' first ones from the other side
        // makes the two transactions meet in the middle of their lock sets.
        const [del, stop] = await Promise.all([
          user.raw(DELETE, { ids: [...tasks].reverse() }),
          user.raw(STOP, { id }),
        ]);
        for (const res of [del, stop]) {
          if (!res.body.errors) count('OK');
          for (const e of res.body.errors ?? []) count(String(e.extensions?.code));
        }
      }),
    );
    console.log('answers:', Object.fromEntries(codes));
    assert.equal(codes.get('INTERNAL_SERVER_ERROR') ?? 0, 0, JSON.stringify([...codes]));
    // Every stop succeeds; a delete either succeeds or finds its tasks already removed.
    for (const code of codes.keys()) assert.ok(['OK', 'NOT_FOUND'].includes(code), code);
  });
});

describe('reopenTask racing completeTask', () => {
  let sql: Sql;
  let user: ApiUser;
  before(async () => {
    sql = createSql(testEnv.databaseUrl, { applicationName: 'test-lock-order-2', max: 2 });
    user = await apiUser(uniqueUser('reopen-race'));
  });
  after(() => sql.end({ timeout: 1 }));

  /** Deadlocks PostgreSQL has detected in this database (retried ones included). */
  const deadlocks = async (): Promise<number> => {
    const [row] = await sql<{ n: string }[]>`
      SELECT deadlocks::text AS n FROM pg_stat_database WHERE datname = current_database()`;
    return Number(row!.n);
  };

  test('two tasks, reopened and completed crosswise 30 times: no deadlock at all', async () => {
    const CREATE_TASK = `mutation($t: String!) { createTask(input: { title: $t }) { id } }`;
    const COMPLETE = `mutation($ids: [ID!]!) { completeTasks(ids: $ids) { id } }`;
    const REOPEN = `mutation($id: ID!) { reopenTask(id: $id) { id } }`;
    const ids: string[] = [];
    for (const t of ['a', 'b'])
      ids.push((await user.ok<{ createTask: { id: string } }>(CREATE_TASK, { t })).createTask.id);
    await user.ok(COMPLETE, { ids: [ids[0]] });
    // Settled counters first: the statistics reach pg_stat_database when a backend reports them.
    await new Promise((r) => setTimeout(r, 1500));
    const before = await deadlocks();
    const codes: string[] = [];
    for (let round = 0; round < 30; round++) {
      // Reopening one task (user row after its task) while completing both (tasks, then the
      // user row when the events are recorded): one order, so they take turns.
      const answers = await Promise.all([
        user.raw(REOPEN, { id: ids[round % 2] }),
        user.raw(COMPLETE, { ids: round % 2 ? [ids[0], ids[1]] : [ids[1], ids[0]] }),
      ]);
      for (const a of answers)
        for (const e of a.body.errors ?? []) codes.push(String(e.extensions?.code));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const after = await deadlocks();
    assert.deepEqual(codes, []);
    assert.equal(after - before, 0, `${after - before} deadlocks detected (and retried)`);
  });
});

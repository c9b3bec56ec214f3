import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app.js';
import type { Quotas } from '../../api/limits/quotas.js';
import { createSql, type Sql } from '../../db/sql.js';
import { createHs256Verifier } from '../../platform/auth.js';
import { createLogger } from '../../platform/logger.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { tokenFor, type GraphQLResponse } from '../support/graphql.js';

// Per-user quotas through GraphQL, on the stack's PostgreSQL. Quotas are per deployment; the
// api runs in-process here with small ones so that the N+1st is quick to reach.

const QUOTAS: Quotas = { openTasks: 3, series: 2, remindersPerTask: 2 };

const CREATE_TASK = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;
const COMPLETE = `mutation($id: ID!) { completeTask(id: $id) { id } }`;
const REOPEN = `mutation($id: ID!) { reopenTask(id: $id) { id } }`;
const ADD_REMINDER = /* GraphQL */ `
  mutation ($taskId: ID!, $input: ReminderInput!) {
    addReminder(taskId: $taskId, input: $input) {
      reminder {
        id
      }
    }
  }
`;
const CREATE_SERIES = `mutation($input: CreateSeriesInput!) { createSeries(input: $input) { id } }`;
const STOP_SERIES = `mutation($id: ID!) { stopSeries(id: $id) { id } }`;

let sql: Sql;
let app: FastifyInstance;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-quotas', max: 4 });
  app = buildApi({
    sql,
    verifier: createHs256Verifier(testEnv.jwtSecret),
    log: createLogger('test', 'silent'),
    quotas: QUOTAS,
  });
});
after(async () => {
  await app.close();
  await sql.end({ timeout: 2 });
});

type Data = Record<string, { id?: string }>;

async function session(what: string) {
  const token = await tokenFor(uniqueUser(what));
  const call = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: { query, variables },
    });
    return res.json<GraphQLResponse<Data>>();
  };
  return {
    call,
    ok: async (query: string, variables: Record<string, unknown> = {}) => {
      const body = await call(query, variables);
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return Object.values(body.data!)[0]!;
    },
    quotaExceeded: async (path: string, query: string, variables: Record<string, unknown>) => {
      const body = await call(query, variables);
      const err = body.errors?.[0];
      assert.equal(err?.extensions?.code, 'QUOTA_EXCEEDED', JSON.stringify(body));
      assert.deepEqual(
        err.extensions.problems?.map((p) => p.path),
        [path],
      );
      assert.match(err.message, /the limit is \d+/);
    },
  };
}

const task = (title: string) => ({ input: { title } });

describe('per-user quotas', () => {
  test(`open tasks: the ${QUOTAS.openTasks + 1}th is refused, naming the input; completing one frees a place`, async () => {
    const u = await session('quota-tasks');
    const ids: string[] = [];
    for (let i = 0; i < QUOTAS.openTasks; i++)
      ids.push((await u.ok(CREATE_TASK, task(`t${i}`))).id!);
    await u.quotaExceeded('input', CREATE_TASK, task('one too many'));
    await u.ok(COMPLETE, { id: ids[0] });
    await u.ok(CREATE_TASK, task('in the freed place'));
    // Reopening the completed one would make one too many open again.
    await u.quotaExceeded('id', REOPEN, { id: ids[0] });
  });

  test('concurrent creates cannot overshoot the quota', async () => {
    const u = await session('quota-race');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => u.call(CREATE_TASK, task(`race ${i}`))),
    );
    const codes = answers.map((a) => a.errors?.[0]?.extensions?.code ?? 'OK');
    assert.equal(codes.filter((c) => c === 'OK').length, QUOTAS.openTasks, codes.join());
    assert.ok(
      codes.every((c) => c === 'OK' || c === 'QUOTA_EXCEEDED'),
      codes.join(),
    );
  });

  test(`reminders: a task takes ${QUOTAS.remindersPerTask}, not one more`, async () => {
    const u = await session('quota-reminders');
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    await u.quotaExceeded('input.reminders', CREATE_TASK, {
      input: {
        title: 'three reminders',
        dueAt,
        reminders: [{ before: 'PT1H' }, { before: 'PT2H' }, { before: 'PT3H' }],
      },
    });
    const { id } = await u.ok(CREATE_TASK, {
      input: { title: 'two reminders', dueAt, reminders: [{ before: 'PT1H' }] },
    });
    await u.ok(ADD_REMINDER, { taskId: id, input: { before: 'PT2H' } });
    await u.quotaExceeded('taskId', ADD_REMINDER, { taskId: id, input: { before: 'PT3H' } });
  });

  test(`series: ${QUOTAS.series} running at most; a stopped one frees its place`, async () => {
    const u = await session('quota-series');
    const input = (n: number) => ({
      input: {
        title: `s${n}`,
        rrule: 'FREQ=WEEKLY',
        dtstart: '2031-01-06T09:00:00',
        timeZone: 'UTC',
      },
    });
    const first = await u.ok(CREATE_SERIES, input(1));
    await u.ok(CREATE_SERIES, input(2));
    await u.quotaExceeded('input', CREATE_SERIES, input(3));
    await u.ok(STOP_SERIES, { id: first.id });
    await u.ok(CREATE_SERIES, input(3));
  });
});

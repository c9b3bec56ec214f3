import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app.js';
import { createSql, type Sql } from '../../db/sql.js';
import { createHs256Verifier } from '../../platform/auth.js';
import { createLogger } from '../../platform/logger.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { gql, tokenFor } from '../support/graphql.js';
import { connect, Transcript } from '../support/mcp-client.js';

// Issue 12: "add task buy groceries due tomorrow at 5pm" must be due at 5pm local on the far
// side of a DST change, in Berlin and in New York, through the tools and through GraphQL alike.
// The api runs in-process on the stack's PostgreSQL with a stopped clock the test moves, so
// "tomorrow" and "in 2 hours" are read against a known instant.

interface Row {
  id: string;
  dueAt: string | null;
  allDay: boolean;
}
interface Item {
  status: 'succeeded' | 'failed';
  id: string | null;
  task?: Row;
  resolved?: { text: string; dueAt: string | null; allDay: boolean };
  error?: { code: string; problems?: { path: string; message: string }[] };
}
interface Batch {
  results: Item[];
  succeeded: number;
  failed: number;
}
interface GqlTask {
  id: string;
  dueAt: string | null;
  allDay: boolean;
}

const transcript = new Transcript('MCP transcript (natural-language dates around DST changes)');
const sameInstant = (a: string | null | undefined, b: string) =>
  assert.equal(a && new Date(a).toISOString(), new Date(b).toISOString(), `${a} vs ${b}`);

/** One DST change: the day before it, and the half hour before it (local, by the clock). */
interface Change {
  name: string;
  zone: string;
  dayBefore: string;
  tomorrowAt5pm: string;
  justBefore: string;
  inTwoHours: string;
  nextFriday: string;
}

const CHANGES: Change[] = [
  {
    name: 'Berlin springs forward (2027-03-28)',
    zone: 'Europe/Berlin',
    dayBefore: '2027-03-27T10:00:00+01:00',
    tomorrowAt5pm: '2027-03-28T17:00:00+02:00',
    justBefore: '2027-03-28T01:30:00+01:00',
    inTwoHours: '2027-03-28T04:30:00+02:00',
    nextFriday: '2027-04-02T00:00:00+02:00',
  },
  {
    name: 'Berlin falls back (2026-10-25)',
    zone: 'Europe/Berlin',
    dayBefore: '2026-10-24T10:00:00+02:00',
    tomorrowAt5pm: '2026-10-25T17:00:00+01:00',
    justBefore: '2026-10-25T01:30:00+02:00',
    inTwoHours: '2026-10-25T02:30:00+01:00',
    nextFriday: '2026-10-30T00:00:00+01:00',
  },
  {
    name: 'New York springs forward (2027-03-14)',
    zone: 'America/New_York',
    dayBefore: '2027-03-13T10:00:00-05:00',
    tomorrowAt5pm: '2027-03-14T17:00:00-04:00',
    justBefore: '2027-03-14T01:30:00-05:00',
    inTwoHours: '2027-03-14T04:30:00-04:00',
    nextFriday: '2027-03-19T00:00:00-04:00',
  },
  {
    name: 'New York falls back (2026-11-01)',
    zone: 'America/New_York',
    dayBefore: '2026-10-31T10:00:00-04:00',
    tomorrowAt5pm: '2026-11-01T17:00:00-05:00',
    justBefore: '2026-11-01T00:30:00-04:00',
    inTwoHours: '2026-11-01T01:30:00-05:00',
    nextFriday: '2026-11-06T00:00:00-05:00',
  },
];

const TASK_FIELDS = 'id dueAt allDay';

describe('natural-language due dates around DST changes (MCP and GraphQL agree)', () => {
  let sql: Sql;
  let app: FastifyInstance;
  let baseUrl: string;
  let frozen = new Date();

  before(async () => {
    sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-dates', max: 4 });
    app = buildApi({
      sql,
      verifier: createHs256Verifier(testEnv.jwtSecret),
      log: createLogger('test', 'silent'),
      now: () => frozen,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    transcript.print();
    await app.close();
    await sql.end({ timeout: 2 });
  });

  /** A GraphQL call on this test's api, as `userId`; fails the test on errors unless asked. */
  async function graphql<T>(userId: string, query: string, variables = {}) {
    const { body } = await gql<T>(query, variables, {
      token: await tokenFor(userId),
      url: `${baseUrl}/graphql`,
    });
    return body;
  }
  async function ok<T>(userId: string, query: string, variables = {}): Promise<T> {
    const body = await graphql<T>(userId, query, variables);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  }
  const taskById = async (userId: string, id: string) =>
    (
      await ok<{ task: GqlTask }>(
        userId,
        /* GraphQL */ `query ($id: ID!) { task(id: $id) { ${TASK_FIELDS} } }`,
        { id },
      )
    ).task;

  /** A user living in `zone`, with no default reminder (the clock is years from the stack's). */
  async function userIn(zone: string): Promise<{ userId: string; client: Client }> {
    const userId = uniqueUser('dates');
    await ok(
      userId,
      /* GraphQL */ `
        mutation ($zone: String!) {
          updateSettings(input: { timeZone: $zone, defaultReminderOffset: null }) {
            timeZone
          }
        }
      `,
      { zone },
    );
    return { userId, client: await connect(userId, `${baseUrl}/mcp`) };
  }

  for (const change of CHANGES) {
    test(change.name, async () => {
      const { userId, client } = await userIn(change.zone);
      frozen = new Date(change.dayBefore);
      transcript.say(
        `(${change.zone}, ${change.dayBefore}) add task buy groceries due tomorrow at 5pm`,
      );
      const added = await transcript.call<Batch>(client, 'add_tasks', {
        tasks: [{ title: 'Buy groceries', dueAt: 'tomorrow at 5pm' }],
      });
      const item = added.results[0]!;
      assert.equal(item.status, 'succeeded', JSON.stringify(item));
      assert.equal(item.task?.dueAt, change.tomorrowAt5pm);
      assert.deepEqual(item.resolved, {
        text: 'tomorrow at 5pm',
        dueAt: change.tomorrowAt5pm,
        allDay: false,
      });
      // What a user would see afterwards: GraphQL shows the same instant.
      const seen = await taskById(userId, item.id!);
      sameInstant(seen.dueAt, change.tomorrowAt5pm);
      assert.equal(seen.allDay, false);

      // The same words through GraphQL's dueText agree with the tool.
      const viaGraphql = await ok<{ createTask: GqlTask }>(
        userId,
        /* GraphQL */ `
          mutation { createTask(input: { title: "Buy groceries (web)", dueText: "tomorrow at 5pm" }) {
            ${TASK_FIELDS}
          } }
        `,
      );
      sameInstant(viaGraphql.createTask.dueAt, change.tomorrowAt5pm);
      assert.equal(viaGraphql.createTask.allDay, false);

      // A day without a time: all-day, from that day's local midnight.
      transcript.say('also water the plants next Friday');
      const friday = await transcript.call<Batch>(client, 'add_tasks', {
        tasks: [{ title: 'Water the plants', dueAt: 'next Friday' }],
      });
      assert.deepEqual(friday.results[0]!.resolved, {
        text: 'next Friday',
        dueAt: change.nextFriday,
        allDay: true,
      });
      const fridaySeen = await taskById(userId, friday.results[0]!.id!);
      sameInstant(fridaySeen.dueAt, change.nextFriday);
      assert.equal(fridaySeen.allDay, true);

      // Half an hour before the change: "in 2 hours" is two real hours away.
      frozen = new Date(change.justBefore);
      transcript.say(`(${change.justBefore}) move buy groceries to in 2 hours`);
      const moved = await transcript.call<Batch>(client, 'reschedule_tasks', {
        tasks: [{ id: item.id, dueAt: 'in 2 hours' }],
      });
      assert.equal(moved.results[0]!.task?.dueAt, change.inTwoHours);
      assert.equal(moved.results[0]!.resolved?.dueAt, change.inTwoHours);
      assert.equal(
        new Date(change.inTwoHours).getTime() - frozen.getTime(),
        2 * 3_600_000,
        'two real hours',
      );
      sameInstant((await taskById(userId, item.id!)).dueAt, change.inTwoHours);
      // The GraphQL task moved the same way agrees; its all-day flag follows the text.
      const updated = await ok<{ updateTask: GqlTask }>(
        userId,
        /* GraphQL */ `
          mutation ($id: ID!) { updateTask(input: { id: $id, dueText: "in 2 hours" }) {
            ${TASK_FIELDS}
          } }
        `,
        { id: friday.results[0]!.id },
      );
      sameInstant(updated.updateTask.dueAt, change.inTwoHours);
      assert.equal(updated.updateTask.allDay, false);
    });
  }

  test('unreadable words: the tool item and GraphQL both name the field, nothing is made', async () => {
    const { userId, client } = await userIn('Europe/Berlin');
    frozen = new Date('2027-03-27T10:00:00+01:00');
    transcript.say('add call the bank due when pigs fly, and pay rent due end of month');
    const added = await transcript.call<Batch>(client, 'add_tasks', {
      tasks: [
        { title: 'Call the bank', dueAt: 'when pigs fly' },
        { title: 'Pay rent', dueAt: 'end of month' },
      ],
    });
    assert.equal(added.failed, 1);
    const bad = added.results[0]!;
    assert.equal(bad.error?.code, 'BAD_USER_INPUT');
    assert.equal(bad.error?.problems?.[0]?.path, 'tasks.0.dueAt');
    assert.match(bad.error?.problems?.[0]?.message ?? '', /"tomorrow at 5pm"/);
    assert.equal(added.results[1]!.resolved?.dueAt, '2027-03-31T00:00:00+02:00');

    const refused = await graphql(
      userId,
      /* GraphQL */ `
        mutation {
          createTask(input: { title: "Call the bank (web)", dueText: "when pigs fly" }) {
            id
          }
        }
      `,
    );
    assert.equal(refused.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(refused.errors?.[0]?.extensions?.problems?.[0]?.path, 'input.dueText');

    const both = await graphql(
      userId,
      /* GraphQL */ `
        mutation {
          createTask(
            input: { title: "Twice", dueAt: "2027-03-30T09:00:00+02:00", dueText: "tomorrow" }
          ) {
            id
          }
        }
      `,
    );
    assert.equal(both.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(both.errors?.[0]?.message ?? '', /either dueAt or dueText/);

    const titles = await ok<{ tasks: { edges: { node: { dueAt: string } }[] } }>(
      userId,
      /* GraphQL */ `
        {
          tasks(first: 10) {
            edges {
              node {
                dueAt
              }
            }
          }
        }
      `,
    );
    assert.equal(titles.tasks.edges.length, 1, 'only the readable task was made');

    // find_tasks reads its bounds in words too: before Monday (the day's start) is the weekend.
    await transcript.call<Batch>(client, 'add_tasks', {
      tasks: [{ title: 'Buy groceries', dueAt: 'tomorrow at 5pm' }],
    });
    transcript.say('what is due before monday?');
    const found = await transcript.call<{ tasks: Row[] }>(client, 'find_tasks', {
      dueBefore: 'monday',
    });
    assert.deepEqual(
      found.tasks.map((t) => t.dueAt),
      ['2027-03-28T17:00:00+02:00'],
    );
    const unreadable = await transcript.fail(client, 'find_tasks', { dueAfter: 'banana' });
    assert.equal(unreadable.problems?.[0]?.path, 'dueAfter');
  });
});

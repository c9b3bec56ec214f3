import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app.js';
import { createSql, type Sql } from '../../db/sql.js';
import { parseEvent } from '../../domain/events.js';
import { createHs256Verifier, mintHs256Token } from '../../platform/auth.js';
import { createLogger } from '../../platform/logger.js';
import { testEnv } from '../support/env.js';
import type { GraphQLResponse } from '../support/graphql.js';
import { snapshot } from '../support/fixtures.js';
import type { TaskId } from '../../domain/ids.js';

// The api in-process (buildApi + app.inject, no socket) against the stack's real database.

const run = Date.now().toString(36);
let counter = 0;
const newUser = (what: string): string => `api-${what}-${run}-${++counter}`;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateTaskInput!) {
    createTask(input: $input) {
      id
      title
      status
      dueAt
      reminders {
        before
        fireAt
        state
      }
      nextReminderAt
      createdAt
      updatedAt
      version
    }
  }
`;
const TASK = /* GraphQL */ `
  query Task($id: ID!) {
    task(id: $id) {
      id
      title
    }
  }
`;

interface CreatedTask {
  id: string;
  title: string;
  status: string;
  dueAt: string | null;
  reminders: { before: string | null; fireAt: string | null; state: string }[];
  nextReminderAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

let sql: Sql;
let app: FastifyInstance;
before(async () => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-api', max: 3 });
  app = buildApi({
    sql,
    verifier: createHs256Verifier(testEnv.jwtSecret),
    log: createLogger('test', 'silent'),
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await sql.end({ timeout: 2 });
});

async function graphql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLResponse<T> }> {
  const res = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, body: res.json<GraphQLResponse<T>>() };
}

const asUser = async (userId: string): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await mintHs256Token(testEnv.jwtSecret, userId)}`,
});

async function rowsOf(userId: string): Promise<{ tasks: number; outbox: number }> {
  const [t] = await sql<[{ count: string }]>`SELECT count(*) FROM tasks WHERE user_id = ${userId}`;
  const [o] = await sql<
    [{ count: string }]
  >`SELECT count(*) FROM outbox WHERE event->>'userid' = ${userId}`;
  return { tasks: Number(t.count), outbox: Number(o.count) };
}

describe('createTask', () => {
  test('writes exactly one task and one task.created outbox row that matches it', async () => {
    const user = newUser('create');
    // Far enough ahead that the real worker's reminder workflow for it never fires during the run.
    const dueAt = '2031-06-01T09:00:00+02:00';
    const { status, body } = await graphql<{ createTask: CreatedTask }>(
      CREATE,
      { input: { title: '  Water the plants  ', dueAt, remindBefore: 'PT30M' } },
      {
        ...(await asUser(user)),
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    assert.equal(status, 200);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const task = body.data!.createTask;
    assert.equal(task.title, 'Water the plants', 'the title is trimmed');
    assert.equal(task.status, 'OPEN');
    assert.equal(task.dueAt, '2031-06-01T07:00:00.000Z');
    assert.deepEqual(task.reminders, [
      { before: 'PT30M', fireAt: '2031-06-01T06:30:00.000Z', state: 'PENDING' },
    ]);
    assert.equal(task.nextReminderAt, '2031-06-01T06:30:00.000Z');
    assert.equal(task.version, 1);
    assert.equal(task.createdAt, task.updatedAt);

    const tasks = await sql<
      { id: string; title: string; dueAt: Date; offsetMs: string; status: string }[]
    >`
      SELECT t.id, t.title, t.due_at, r.offset_ms, t.status
      FROM tasks t JOIN reminders r ON r.task_id = t.id WHERE t.user_id = ${user}`;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.id, task.id);
    assert.equal(tasks[0]!.title, 'Water the plants');
    assert.equal(tasks[0]!.dueAt.toISOString(), '2031-06-01T07:00:00.000Z');
    assert.equal(Number(tasks[0]!.offsetMs), -1_800_000);

    const outbox = await sql<{ id: string; topic: string; subject: string; event: unknown }[]>`
      SELECT id, topic, subject, event FROM outbox WHERE event->>'userid' = ${user}`;
    assert.equal(outbox.length, 1);
    const row = outbox[0]!;
    assert.equal(row.topic, 'task-events');
    assert.equal(row.subject, task.id);
    const parsed = parseEvent(row.event);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    const event = parsed.event;
    assert.equal(event.id, row.id, 'the outbox row id is the event id');
    assert.equal(event.type, 'task.created');
    assert.equal(event.subject, task.id);
    assert.equal(event.userid, user);
    assert.equal(event.sequence, 1, "the user's first event");
    assert.equal(event.source, 'tickler/api');
    assert.equal(event.time, task.createdAt);
    assert.equal(event.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const data = event.data as { task: ReturnType<typeof snapshot> };
    assert.equal(data.task.reminders.length, 1);
    const [reminder] = data.task.reminders;
    assert.equal(reminder!.offsetMs, -1_800_000, 'remindBefore PT30M is a reminder 30 min before');
    assert.deepEqual(data, {
      task: snapshot({
        id: task.id as TaskId,
        title: 'Water the plants',
        dueAt: '2031-06-01T07:00:00.000Z',
        reminders: [reminder!],
      }),
    });
  });

  test("a user's events are numbered 1, 2, 3 in commit order", async () => {
    const user = newUser('sequence');
    const headers = await asUser(user);
    for (const title of ['one', 'two', 'three']) {
      const { body } = await graphql(CREATE, { input: { title } }, headers);
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    }
    const rows = await sql<{ title: string; sequence: string }[]>`
      SELECT event->'data'->'task'->>'title' AS title, event->>'sequence' AS sequence
      FROM outbox WHERE event->>'userid' = ${user} ORDER BY position`;
    assert.deepEqual(
      rows.map((r) => [r.title, Number(r.sequence)]),
      [
        ['one', 1],
        ['two', 2],
        ['three', 3],
      ],
    );
  });

  test('a task without a due date has no reminder', async () => {
    const user = newUser('nodue');
    const { body } = await graphql<{ createTask: CreatedTask }>(
      CREATE,
      { input: { title: 'Someday' } },
      await asUser(user),
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const t = body.data!.createTask;
    assert.deepEqual([t.dueAt, t.reminders, t.nextReminderAt], [null, [], null]);
  });

  test('a title of exactly 500 characters (after trimming) is accepted', async () => {
    const user = newUser('title500');
    const title = 'x'.repeat(500);
    const { body } = await graphql<{ createTask: CreatedTask }>(
      CREATE,
      { input: { title: `  ${title} ` } },
      await asUser(user),
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data!.createTask.title, title);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['an empty title', { title: '' }, 'input.title'],
    ['a whitespace title', { title: ' \t\n ' }, 'input.title'],
    ['a 501-character title', { title: 'x'.repeat(501) }, 'input.title'],
    ['a dueAt without an offset', { title: 't', dueAt: '2026-01-01T09:00:00' }, 'input.dueAt'],
    ['a dueAt that is not a date', { title: 't', dueAt: 'tomorrow' }, 'input.dueAt'],
    [
      'a remindBefore in months',
      { title: 't', dueAt: '2031-01-01T09:00:00Z', remindBefore: 'P1M' },
      'input.remindBefore',
    ],
    ['a remindBefore without a dueAt', { title: 't', remindBefore: 'PT5M' }, 'input.remindBefore'],
    [
      'a negative remindBefore',
      { title: 't', dueAt: '2031-01-01T09:00:00Z', remindBefore: '-PT5M' },
      'input.remindBefore',
    ],
    ['a title with a NUL character', { title: 'a\u0000b' }, 'input.title'],
    [
      'a remindBefore over 366 days',
      { title: 't', dueAt: '2031-01-01T09:00:00Z', remindBefore: 'P367D' },
      'input.remindBefore',
    ],
    [
      'a remindBefore beyond exact milliseconds',
      { title: 't', dueAt: '2031-01-01T09:00:00Z', remindBefore: 'P99999999W' },
      'input.remindBefore',
    ],
    ['a dueAt in year 0001', { title: 't', dueAt: '0001-01-01T00:00:00Z' }, 'input.dueAt'],
  ];
  for (const [what, input, path] of bad) {
    test(`${what} is BAD_USER_INPUT naming ${path}, and nothing is written`, async () => {
      const user = newUser('bad');
      const { status, body } = await graphql(CREATE, { input }, await asUser(user));
      assert.equal(status, 200);
      assert.equal(body.data ?? null, null);
      const err = body.errors?.[0];
      assert.ok(err, 'an error');
      assert.equal(err.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(body.errors));
      const paths = (err.extensions?.problems ?? []).map((p) => p.path);
      assert.ok(
        paths.includes(path),
        `problems name ${path}: ${JSON.stringify(err.extensions?.problems)}`,
      );
      assert.ok(
        err.extensions!.problems!.every((p) => p.message.length > 0),
        'each problem says what is wrong',
      );
      assert.deepEqual(await rowsOf(user), { tasks: 0, outbox: 0 });
    });
  }

  test('several bad fields are all named at once', async () => {
    const user = newUser('bad-many');
    const { body } = await graphql(
      CREATE,
      { input: { title: '', dueAt: 'soon' } },
      await asUser(user),
    );
    const paths = (body.errors?.[0]?.extensions?.problems ?? []).map((p) => p.path).sort();
    assert.deepEqual(paths, ['input.dueAt', 'input.title']);
  });
});

describe('authentication', () => {
  const unauthenticated: [string, () => Promise<Record<string, string>>][] = [
    ['no token', async () => ({})],
    [
      'a token signed with another secret',
      async () => ({
        authorization: `Bearer ${await mintHs256Token(`not-${testEnv.jwtSecret}`, newUser('forged'))}`,
      }),
    ],
    [
      'an expired token',
      async () => ({
        authorization: `Bearer ${await mintHs256Token(testEnv.jwtSecret, newUser('expired'), -60)}`,
      }),
    ],
    ['a token that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
    [
      'another scheme',
      async () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
    ],
  ];
  for (const [what, headers] of unauthenticated) {
    test(`${what} is UNAUTHENTICATED with HTTP 401, and nothing is written`, async () => {
      const title = `sneaky ${randomUUID()}`;
      const { status, body } = await graphql(CREATE, { input: { title } }, await headers());
      assert.equal(status, 401);
      assert.equal(
        body.errors?.[0]?.extensions?.code,
        'UNAUTHENTICATED',
        JSON.stringify(body.errors),
      );
      assert.equal(body.data ?? null, null);
      const [{ count }] = await sql<
        [{ count: string }]
      >`SELECT count(*) FROM tasks WHERE title = ${title}`;
      assert.equal(Number(count), 0);
    });
  }

  test('me is the token subject', async () => {
    const user = newUser('me');
    const { body } = await graphql<{ me: { id: string } }>('{ me { id } }', {}, await asUser(user));
    assert.deepEqual(body.data, { me: { id: user } });
  });
});

describe('task(id)', () => {
  test("the owner sees the task; another user's task is as absent as a missing one", async () => {
    const owner = newUser('owner');
    const stranger = newUser('stranger');
    const { body } = await graphql<{ createTask: CreatedTask }>(
      CREATE,
      { input: { title: 'Private' } },
      await asUser(owner),
    );
    const id = body.data!.createTask.id;

    const mine = await graphql<{ task: { id: string; title: string } | null }>(
      TASK,
      { id },
      await asUser(owner),
    );
    assert.deepEqual(mine.body.data, { task: { id, title: 'Private' } });

    const theirs = await graphql<{ task: unknown }>(TASK, { id }, await asUser(stranger));
    assert.equal(theirs.body.errors, undefined);
    assert.deepEqual(theirs.body.data, { task: null });

    const missing = await graphql<{ task: unknown }>(
      TASK,
      { id: randomUUID() },
      await asUser(stranger),
    );
    assert.deepEqual(missing.body, theirs.body, 'indistinguishable from a missing task');

    const garbage = await graphql<{ task: unknown }>(
      TASK,
      { id: 'not-a-uuid' },
      await asUser(owner),
    );
    assert.deepEqual(garbage.body, { data: { task: null } });
  });
});

describe('health', () => {
  test('/healthz answers 200', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('/readyz answers 200 when postgres answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready', checks: { postgres: 'ok' } });
  });

  test('/readyz answers 503 naming the failing check', async () => {
    const broken = buildApi({
      sql,
      verifier: createHs256Verifier(testEnv.jwtSecret),
      log: createLogger('test', 'silent'),
      readiness: {
        dapr: async () => {
          throw new Error('sidecar down');
        },
      },
    });
    try {
      const res = await broken.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), {
        status: 'not ready',
        checks: { postgres: 'ok', dapr: 'sidecar down' },
      });
    } finally {
      await broken.close();
    }
  });
});

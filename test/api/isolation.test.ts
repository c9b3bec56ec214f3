import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type postgres from 'postgres';
import {
  apiUser,
  assertError,
  GET_TASK,
  openDb,
  outboxOf,
  type ApiUser,
  type GqlError,
  type TaskView,
} from '../support/api-client.js';

// Two users through the running api: B can neither see nor change anything of A's, and every
// answer B gets about A's task is the answer B would get about a task that never existed.

const LIST = /* GraphQL */ `
  query List($filter: TaskFilter, $search: String, $orderBy: TaskOrder) {
    tasks(filter: $filter, search: $search, orderBy: $orderBy, first: 200) {
      totalCount
      edges {
        node {
          id
        }
      }
    }
  }
`;
const TAGS = /* GraphQL */ `
  {
    tags {
      tag
      count
    }
  }
`;
const MUTATIONS: [string, string, (id: string) => Record<string, unknown>][] = [
  [
    'updateTask',
    /* GraphQL */ `
      mutation ($input: UpdateTaskInput!) {
        updateTask(input: $input) {
          id
        }
      }
    `,
    (id) => ({ input: { id, title: 'hijacked', expectedVersion: 1 } }),
  ],
  [
    'updateTask (no change asked)',
    /* GraphQL */ `
      mutation ($input: UpdateTaskInput!) {
        updateTask(input: $input) {
          id
          title
        }
      }
    `,
    (id) => ({ input: { id } }),
  ],
  [
    'completeTask',
    /* GraphQL */ `
      mutation ($id: ID!) {
        completeTask(id: $id) {
          id
        }
      }
    `,
    (id) => ({ id }),
  ],
  [
    'reopenTask',
    /* GraphQL */ `
      mutation ($id: ID!) {
        reopenTask(id: $id) {
          id
        }
      }
    `,
    (id) => ({ id }),
  ],
  [
    'deleteTask',
    /* GraphQL */ `
      mutation ($id: ID!) {
        deleteTask(id: $id) {
          deletedIds
        }
      }
    `,
    (id) => ({ id }),
  ],
  [
    'completeTasks',
    /* GraphQL */ `
      mutation ($ids: [ID!]!) {
        completeTasks(ids: $ids) {
          id
        }
      }
    `,
    (id) => ({ ids: [id] }),
  ],
  [
    'deleteTasks',
    /* GraphQL */ `
      mutation ($ids: [ID!]!) {
        deleteTasks(ids: $ids) {
          deletedIds
        }
      }
    `,
    (id) => ({ ids: [id] }),
  ],
];

const mutation = (name: string): string => MUTATIONS.find(([n]) => n === name)![1];

/** An error with the task id it names replaced, so errors about different ids compare. */
const shape = (err: GqlError, id: string) =>
  JSON.parse(JSON.stringify(err).replaceAll(id, '<id>')) as unknown;

let sql: postgres.Sql;
let a: ApiUser;
let b: ApiUser;
let aOpen: TaskView;
let aDone: TaskView;
let bOwn: TaskView;
before(async () => {
  sql = openDb();
  a = await apiUser('iso-a');
  b = await apiUser('iso-b');
  aOpen = await a.createTask({
    title: 'Secret plan zanzibar',
    description: 'hidden description quokka',
    tags: ['Confidential', 'shared-name'],
    dueAt: '2020-01-01T00:00:00Z',
    priority: 'URGENT',
    idempotencyKey: 'same-key',
  });
  aDone = await a.createTask({ title: 'Secret done zanzibar', tags: ['confidential'] });
  await a.ok(mutation('completeTask'), { id: aDone.id });
  aDone = (await a.task(aDone.id))!;
  bOwn = await b.createTask({ title: 'B own task', tags: ['shared-name'] });
});
after(async () => {
  await sql.end({ timeout: 2 });
});

describe("B cannot see A's tasks", () => {
  test('task(id) is null, as for a missing task', async () => {
    assert.equal(await b.task(aOpen.id), null);
    assert.equal(await b.task(aDone.id), null);
    assert.deepEqual(await a.task(aOpen.id), aOpen, 'A still sees it');
  });

  const listings: [string, Record<string, unknown>][] = [
    ['everything', {}],
    ['search by title word', { search: 'zanzibar' }],
    ['search by title substring', { search: 'anzib' }],
    ['search by description', { search: 'quokka' }],
    ['search by tag', { search: 'confidential' }],
    ['tag filter', { filter: { tags: { any: ['CONFIDENTIAL'] } } }],
    ['overdue filter', { filter: { overdue: true } }],
    ['priority filter', { filter: { priorities: ['URGENT'] } }],
    ['completed filter', { filter: { status: 'COMPLETED' } }],
    ['due date filter', { filter: { hasDueDate: true } }],
    ['order by priority', { orderBy: { field: 'PRIORITY', direction: 'DESC' } }],
  ];
  for (const [what, vars] of listings) {
    test(`tasks (${what}): only B's own, and totalCount counts only B's`, async () => {
      type L = { tasks: { totalCount: number; edges: { node: { id: string } }[] } };
      const theirs = await b.ok<L>(LIST, vars);
      const seen = theirs.tasks.edges.map((e) => e.node.id);
      assert.ok(!seen.includes(aOpen.id) && !seen.includes(aDone.id), `${what}: ${seen}`);
      assert.ok(seen.every((id) => id === bOwn.id));
      assert.equal(theirs.tasks.totalCount, seen.length);
      // A, asking the same, does find them: the query itself works.
      const mine = await a.ok<L>(LIST, vars);
      assert.ok(mine.tasks.totalCount >= 1, `${what} finds A's task for A`);
      assert.ok(mine.tasks.edges.every((e) => e.node.id !== bOwn.id));
    });
  }

  test("tags lists only B's tags and counts only B's tasks", async () => {
    const { tags } = await b.ok<{ tags: { tag: string; count: number }[] }>(TAGS);
    assert.deepEqual(tags, [{ tag: 'shared-name', count: 1 }]);
    const mine = await a.ok<{ tags: { tag: string; count: number }[] }>(TAGS);
    assert.deepEqual(
      mine.tags.map((t) => [t.tag.toLowerCase(), t.count]),
      [
        ['confidential', 2],
        ['shared-name', 1],
      ],
    );
  });

  test("the same idempotency key creates B's own task, not a copy of A's", async () => {
    const t = await b.createTask({ title: 'B keyed', idempotencyKey: 'same-key' });
    assert.notEqual(t.id, aOpen.id);
    assert.equal(t.title, 'B keyed');
    assert.deepEqual(await a.task(aOpen.id), aOpen);
    await b.ok(mutation('deleteTask'), { id: t.id });
  });
});

describe("B cannot change A's tasks", () => {
  for (const [name, query, vars] of MUTATIONS) {
    test(`${name} on A's task is NOT_FOUND, exactly like a random id; A's task is unchanged`, async () => {
      const aEventsBefore = (await outboxOf(sql, a.id)).length;
      const bEventsBefore = (await outboxOf(sql, b.id)).length;
      for (const target of [aOpen, aDone]) {
        const onA = await b.fails(query, vars(target.id));
        assertError(onA, 'NOT_FOUND');
        const missing = randomUUID();
        const onMissing = await b.fails(query, vars(missing));
        assert.deepEqual(shape(onA, target.id), shape(onMissing, missing), 'indistinguishable');
      }
      assert.deepEqual(await a.task(aOpen.id), aOpen);
      assert.deepEqual(await a.task(aDone.id), aDone);
      assert.equal((await outboxOf(sql, a.id)).length, aEventsBefore, 'no event for A');
      assert.equal((await outboxOf(sql, b.id)).length, bEventsBefore, 'no event for B');
    });
  }

  test("a batch mixing B's own task and A's changes neither", async () => {
    for (const [name, query] of MUTATIONS.filter(([n]) => n.endsWith('Tasks'))) {
      assertError(await b.fails(query, { ids: [bOwn.id, aOpen.id] }), 'NOT_FOUND');
      assert.deepEqual(await b.task(bOwn.id), bOwn, `${name}: B's task unchanged`);
      assert.deepEqual(await a.task(aOpen.id), aOpen, `${name}: A's task unchanged`);
    }
  });

  for (const malformed of [
    'not-a-uuid',
    '',
    "1' OR '1'='1",
    '00000000-0000-0000-0000-00000000000g',
  ]) {
    test(`a malformed id (${JSON.stringify(malformed)}) is NOT_FOUND for every mutation, null for task(id)`, async () => {
      for (const [name, query, vars] of MUTATIONS) {
        const err = await b.fails(query, vars(malformed));
        assert.equal(err.extensions?.code, 'NOT_FOUND', `${name}: ${JSON.stringify(err)}`);
      }
      const { body } = await b.raw<{ task: unknown }>(GET_TASK, { id: malformed });
      assert.deepEqual(body, { data: { task: null } });
    });
  }
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type postgres from 'postgres';
import {
  apiUser,
  assertError,
  eventsFor,
  openDb,
  outboxOf,
  TASK_FIELDS,
  type TaskView,
} from '../support/api-client.js';

// Every task mutation through the running api's HTTP endpoint, checking the task it returns,
// what a later read sees, and the one outbox event each change writes.

const UPDATE = /* GraphQL */ `
  mutation Update($input: UpdateTaskInput!) {
    updateTask(input: $input) {
      ...TaskFields
    }
  }
  ${TASK_FIELDS}
`;
const COMPLETE = /* GraphQL */ `
  mutation Complete($id: ID!) {
    completeTask(id: $id) {
      ...TaskFields
    }
  }
  ${TASK_FIELDS}
`;
const REOPEN = /* GraphQL */ `
  mutation Reopen($id: ID!) {
    reopenTask(id: $id) {
      ...TaskFields
    }
  }
  ${TASK_FIELDS}
`;
const DELETE = /* GraphQL */ `
  mutation Delete($id: ID!) {
    deleteTask(id: $id) {
      deletedIds
    }
  }
`;
const COMPLETE_MANY = /* GraphQL */ `
  mutation CompleteMany($ids: [ID!]!) {
    completeTasks(ids: $ids) {
      ...TaskFields
    }
  }
  ${TASK_FIELDS}
`;
const DELETE_MANY = /* GraphQL */ `
  mutation DeleteMany($ids: [ID!]!) {
    deleteTasks(ids: $ids) {
      deletedIds
    }
  }
`;
const LIST = /* GraphQL */ `
  query List {
    tasks(first: 200) {
      totalCount
      edges {
        node {
          id
        }
      }
    }
    tags {
      tag
      count
    }
  }
`;

const DUE = '2031-05-01T10:00:00.000Z';
const LATER = '2031-05-02T12:30:00.000Z';

let sql: postgres.Sql;
before(() => {
  sql = openDb();
});
after(async () => {
  await sql.end({ timeout: 2 });
});

type User = Awaited<ReturnType<typeof apiUser>>;
const update = async (u: User, input: Record<string, unknown>): Promise<TaskView> =>
  (await u.ok<{ updateTask: TaskView }>(UPDATE, { input })).updateTask;

/** A task with every optional field set. */
const fullTask = (u: User, title = 'Full task') =>
  u.createTask({
    title,
    description: 'some words',
    priority: 'HIGH',
    tags: ['Home', 'garden'],
    dueAt: DUE,
    allDay: false,
    remindBefore: 'PT1H',
  });

describe('updateTask: partial semantics', () => {
  test('absent fields stay as they were; only the given ones change', async () => {
    const u = await apiUser('upd-partial');
    const t = await fullTask(u);
    const after = await update(u, { id: t.id, title: 'Renamed' });
    assert.deepEqual(
      { ...after, updatedAt: undefined },
      { ...t, title: 'Renamed', version: 2, updatedAt: undefined },
    );
    assert.ok(after.updatedAt > t.updatedAt, 'updatedAt moves on');
    assert.deepEqual(await u.task(t.id), after, 'a later read sees the same task');
  });

  test('null clears description, tags and dueAt; a relative reminder then has no time', async () => {
    const u = await apiUser('upd-null');
    const t = await fullTask(u);
    const a = await update(u, { id: t.id, description: null, tags: null });
    assert.equal(a.description, '');
    assert.deepEqual(a.tags, []);
    assert.equal(a.dueAt, DUE);
    assert.equal(a.reminders[0]!.state, 'PENDING');
    const b = await update(u, { id: t.id, dueAt: null });
    assert.equal(b.dueAt, null);
    assert.equal(b.title, 'Full task');
    assert.equal(b.priority, 'HIGH');
    assert.deepEqual(
      b.reminders.map((r) => [r.before, r.fireAt, r.state]),
      [['PT1H', null, 'NOT_ARMED']],
    );
    assert.equal(b.nextReminderAt, null);
  });

  test('clearing dueAt is one task.updated reporting dueAt', async () => {
    const u = await apiUser('upd-clear-due');
    const t = await fullTask(u);
    const after = await update(u, { id: t.id, dueAt: null });
    assert.deepEqual([after.dueAt, after.nextReminderAt, after.version], [null, null, 2]);
    const events = await eventsFor(sql, u.id, t.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['task.created', 'task.updated'],
    );
    assert.deepEqual(events[1]!.data.changes, { dueAt: { before: DUE, after: null } });
  });

  test('updateTask does not take reminders: they have their own mutations', async () => {
    const u = await apiUser('upd-remind');
    const t = await u.createTask({ title: 'No due date' });
    const err = await u.fails(UPDATE, { input: { id: t.id, remindBefore: 'PT5M' } });
    assert.equal(err.extensions?.code, 'BAD_USER_INPUT');
    assert.match(err.message, /remindBefore/);
    assert.deepEqual(await u.task(t.id), t, 'nothing changed');
  });

  test('an update that changes nothing keeps the version and writes no event', async () => {
    const u = await apiUser('upd-noop');
    const t = await fullTask(u);
    const same = await update(u, {
      id: t.id,
      title: '  Full task ',
      description: 'some words',
      priority: 'HIGH',
      tags: ['Home', 'garden'],
      dueAt: '2031-05-01T12:00:00+02:00',
      allDay: false,
    });
    assert.deepEqual(same, t);
    const empty = await update(u, { id: t.id });
    assert.deepEqual(empty, t);
    assert.deepEqual(
      (await outboxOf(sql, u.id)).map((e) => e.type),
      ['task.created'],
    );
  });

  test('every change increments the version by one and reports exactly the changed fields', async () => {
    const u = await apiUser('upd-changes');
    const t = await fullTask(u);
    const steps: [Record<string, unknown>, Record<string, { before: unknown; after: unknown }>][] =
      [
        [{ title: 'New title' }, { title: { before: 'Full task', after: 'New title' } }],
        [
          { priority: 'URGENT', description: 'other words', title: 'New title' },
          {
            priority: { before: 'HIGH', after: 'URGENT' },
            description: { before: 'some words', after: 'other words' },
          },
        ],
        [
          { tags: ['garden', 'Shed'] },
          { tags: { before: ['Home', 'garden'], after: ['garden', 'Shed'] } },
        ],
        [
          { dueAt: LATER, allDay: true },
          { dueAt: { before: DUE, after: LATER }, allDay: { before: false, after: true } },
        ],
      ];
    let version = t.version;
    for (const [input, changes] of steps) {
      const after = await update(u, { id: t.id, ...input });
      assert.equal(after.version, ++version);
      const events = await eventsFor(sql, u.id, t.id);
      const last = events.at(-1)!;
      assert.equal(events.length, version, 'one event per change');
      assert.equal(last.type, 'task.updated');
      assert.equal(last.topic, 'task-events');
      assert.deepEqual(last.data.changes, changes, `changes of ${JSON.stringify(input)}`);
      assert.equal(last.data.task!.version, version, 'the snapshot is the task after the change');
    }
    const final = await u.task(t.id);
    assert.equal(final!.title, 'New title');
    assert.equal(final!.priority, 'URGENT');
    assert.deepEqual(final!.tags, ['garden', 'Shed']);
    assert.equal(final!.allDay, true);
    assert.deepEqual(
      final!.reminders.map((r) => [r.before, r.fireAt]),
      [['PT1H', new Date(Date.parse(LATER) - 3_600_000).toISOString()]],
      'the relative reminder moved with the due date',
    );
  });

  test('expectedVersion: the current one applies; a stale one is CONFLICT and changes nothing', async () => {
    const u = await apiUser('upd-version');
    const t = await u.createTask({ title: 'v1' });
    const v2 = await update(u, { id: t.id, expectedVersion: 1, title: 'v2' });
    assert.equal(v2.version, 2);
    const err = await u.fails(UPDATE, { input: { id: t.id, expectedVersion: 1, title: 'v3' } });
    assertError(err, 'CONFLICT', 'input.expectedVersion');
    assert.deepEqual(await u.task(t.id), v2);
    const ahead = await u.fails(UPDATE, { input: { id: t.id, expectedVersion: 7, title: 'v3' } });
    assertError(ahead, 'CONFLICT');
    assert.equal((await eventsFor(sql, u.id, t.id)).length, 2);
  });

  test('a null title, priority or allDay is BAD_USER_INPUT naming the field', async () => {
    const u = await apiUser('upd-null-required');
    const t = await u.createTask({ title: 'keep' });
    for (const field of ['title', 'priority', 'allDay']) {
      assertError(
        await u.fails(UPDATE, { input: { id: t.id, [field]: null } }),
        'BAD_USER_INPUT',
        `input.${field}`,
      );
    }
    assert.deepEqual(await u.task(t.id), t);
  });
});

describe('completeTask and reopenTask', () => {
  test('complete sets completedAt; completing again is a no-op; reopen clears it', async () => {
    const u = await apiUser('complete');
    const t = await u.createTask({ title: 'Finish me', dueAt: DUE });
    const before = Date.now();
    const done = (await u.ok<{ completeTask: TaskView }>(COMPLETE, { id: t.id })).completeTask;
    assert.equal(done.status, 'COMPLETED');
    assert.ok(done.completedAt, 'completedAt is set');
    assert.ok(Math.abs(Date.parse(done.completedAt) - before) < 10_000, 'completedAt is now');
    assert.equal(done.version, 2);

    const again = (await u.ok<{ completeTask: TaskView }>(COMPLETE, { id: t.id })).completeTask;
    assert.deepEqual(again, done, 'completing twice changes nothing');

    const reopened = (await u.ok<{ reopenTask: TaskView }>(REOPEN, { id: t.id })).reopenTask;
    assert.equal(reopened.status, 'OPEN');
    assert.equal(reopened.completedAt, null);
    assert.equal(reopened.version, 3);
    const reopenedAgain = (await u.ok<{ reopenTask: TaskView }>(REOPEN, { id: t.id })).reopenTask;
    assert.deepEqual(reopenedAgain, reopened, 'reopening an open task changes nothing');
    assert.deepEqual(await u.task(t.id), reopened);

    const events = await eventsFor(sql, u.id, t.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['task.created', 'task.completed', 'task.reopened'],
    );
    assert.equal(events[1]!.data.task!.status, 'COMPLETED');
    assert.equal(events[1]!.data.task!.completedAt, done.completedAt);
    assert.equal(events[2]!.data.task!.status, 'OPEN');
    assert.equal(events[2]!.data.task!.completedAt, null);
    assert.deepEqual(
      events.map((e) => e.sequence),
      [1, 2, 3],
    );
  });

  test('a missing id is NOT_FOUND', async () => {
    const u = await apiUser('complete-missing');
    assertError(await u.fails(COMPLETE, { id: randomUUID() }), 'NOT_FOUND');
    assertError(await u.fails(REOPEN, { id: randomUUID() }), 'NOT_FOUND');
  });
});

describe('deleteTask', () => {
  test('the task disappears from task(id), tasks and tags; a second delete is NOT_FOUND', async () => {
    const u = await apiUser('delete');
    const keep = await u.createTask({ title: 'Keep', tags: ['shared'] });
    const gone = await u.createTask({ title: 'Gone', tags: ['Shared', 'only-gone'] });
    const res = await u.ok<{ deleteTask: { deletedIds: string[] } }>(DELETE, { id: gone.id });
    assert.deepEqual(res.deleteTask.deletedIds, [gone.id]);

    assert.equal(await u.task(gone.id), null);
    const list = await u.ok<{
      tasks: { totalCount: number; edges: { node: { id: string } }[] };
      tags: { tag: string; count: number }[];
    }>(LIST);
    assert.deepEqual(
      list.tasks.edges.map((e) => e.node.id),
      [keep.id],
    );
    assert.equal(list.tasks.totalCount, 1);
    assert.deepEqual(list.tags, [{ tag: 'shared', count: 1 }]);

    assertError(await u.fails(DELETE, { id: gone.id }), 'NOT_FOUND');
    for (const [query, vars] of [
      [UPDATE, { input: { id: gone.id, title: 'back?' } }],
      [COMPLETE, { id: gone.id }],
      [REOPEN, { id: gone.id }],
    ] as const) {
      assertError(await u.fails(query, vars), 'NOT_FOUND');
    }
    const events = await eventsFor(sql, u.id, gone.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['task.created', 'task.deleted'],
    );
    assert.equal(events[1]!.data.task!.id, gone.id);
  });
});

describe('batch mutations', () => {
  test('completeTasks completes them all, in the order asked, one event each', async () => {
    const u = await apiUser('batch-complete');
    const a = await u.createTask({ title: 'a' });
    const b = await u.createTask({ title: 'b' });
    const c = await u.createTask({ title: 'c' });
    await u.ok(COMPLETE, { id: b.id });
    const res = (
      await u.ok<{ completeTasks: TaskView[] }>(COMPLETE_MANY, { ids: [c.id, a.id, b.id] })
    ).completeTasks;
    assert.deepEqual(
      res.map((t) => [t.id, t.status]),
      [
        [c.id, 'COMPLETED'],
        [a.id, 'COMPLETED'],
        [b.id, 'COMPLETED'],
      ],
    );
    const completed = (await outboxOf(sql, u.id)).filter((e) => e.type === 'task.completed');
    assert.deepEqual(completed.map((e) => e.subject).sort(), [a.id, b.id, c.id].sort());
  });

  test('deleteTasks deletes them all', async () => {
    const u = await apiUser('batch-delete');
    const a = await u.createTask({ title: 'a' });
    const b = await u.createTask({ title: 'b' });
    const keep = await u.createTask({ title: 'keep' });
    const res = await u.ok<{ deleteTasks: { deletedIds: string[] } }>(DELETE_MANY, {
      ids: [a.id, b.id],
    });
    assert.deepEqual(res.deleteTasks.deletedIds.sort(), [a.id, b.id].sort());
    assert.equal(await u.task(a.id), null);
    assert.equal(await u.task(b.id), null);
    assert.deepEqual(await u.task(keep.id), keep);
    const deleted = (await outboxOf(sql, u.id)).filter((e) => e.type === 'task.deleted');
    assert.deepEqual(deleted.map((e) => e.subject).sort(), [a.id, b.id].sort());
  });

  test('all or nothing: one missing or foreign id is NOT_FOUND and nothing changes', async () => {
    const u = await apiUser('batch-atomic');
    const other = await apiUser('batch-atomic-other');
    const a = await u.createTask({ title: 'a' });
    const b = await u.createTask({ title: 'b' });
    const foreign = await other.createTask({ title: 'theirs' });
    for (const intruder of [randomUUID(), foreign.id, 'not-a-uuid']) {
      for (const query of [COMPLETE_MANY, DELETE_MANY]) {
        const err = await u.fails(query, { ids: [a.id, intruder, b.id] });
        assertError(err, 'NOT_FOUND');
      }
    }
    assert.deepEqual(await u.task(a.id), a);
    assert.deepEqual(await u.task(b.id), b);
    assert.deepEqual(await other.task(foreign.id), foreign);
    assert.deepEqual(
      (await outboxOf(sql, u.id)).map((e) => e.type),
      ['task.created', 'task.created'],
    );
    assert.equal((await outboxOf(sql, other.id)).length, 1);
  });

  test('a batch of 0 or 101 ids is BAD_USER_INPUT naming ids', async () => {
    const u = await apiUser('batch-size');
    const t = await u.createTask({ title: 'only' });
    const many = [t.id, ...Array.from({ length: 100 }, () => randomUUID())];
    for (const query of [COMPLETE_MANY, DELETE_MANY]) {
      assertError(await u.fails(query, { ids: [] }), 'BAD_USER_INPUT', 'ids');
      assertError(await u.fails(query, { ids: many }), 'BAD_USER_INPUT', 'ids');
    }
    assert.deepEqual(await u.task(t.id), t);
  });

  test('a batch of exactly 100 is accepted', async () => {
    const u = await apiUser('batch-100');
    const t = await u.createTask({ title: 'one hundred' });
    const ids = Array.from({ length: 100 }, () => t.id);
    const res = (await u.ok<{ completeTasks: TaskView[] }>(COMPLETE_MANY, { ids })).completeTasks;
    assert.equal(res.length, 100);
    assert.ok(res.every((r) => r.id === t.id && r.status === 'COMPLETED' && r.version === 2));
    assert.equal(
      (await outboxOf(sql, u.id)).filter((e) => e.type === 'task.completed').length,
      1,
      'a repeated id completes once',
    );
  });
});

describe('tags', () => {
  const CASES: [string, Record<string, unknown>, string][] = [
    ['a case-insensitive duplicate', { tags: ['Home', 'work', 'HOME'] }, 'input.tags.2'],
    ['a duplicate after trimming', { tags: ['home', ' home '] }, 'input.tags.1'],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'input.tags'],
    ['a tag of 51 characters', { tags: ['ok', 'x'.repeat(51)] }, 'input.tags.1'],
    ['an empty tag', { tags: ['  '] }, 'input.tags.0'],
  ];
  for (const [what, input, path] of CASES) {
    test(`${what} is BAD_USER_INPUT naming ${path}, on create and on update`, async () => {
      const u = await apiUser('tags-bad');
      assertError(
        await u.fails(
          /* GraphQL */ `
            mutation ($input: CreateTaskInput!) {
              createTask(input: $input) {
                id
              }
            }
          `,
          { input: { title: 't', ...input } },
        ),
        'BAD_USER_INPUT',
        path,
      );
      const t = await u.createTask({ title: 't', tags: ['keep'] });
      assertError(await u.fails(UPDATE, { input: { id: t.id, ...input } }), 'BAD_USER_INPUT', path);
      assert.deepEqual(await u.task(t.id), t);
      assert.equal((await outboxOf(sql, u.id)).length, 1);
    });
  }

  test('20 tags of 50 characters are accepted, in the order given, trimmed', async () => {
    const u = await apiUser('tags-max');
    const tags = Array.from(
      { length: 20 },
      (_, i) => `${String(i).padStart(2, '0')}${'y'.repeat(48)}`,
    );
    const t = await u.createTask({ title: 't', tags: [...tags.slice(0, 19), ` ${tags[19]} `] });
    assert.deepEqual(t.tags, tags);
  });
});

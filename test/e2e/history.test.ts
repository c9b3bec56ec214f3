import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { apiUser, assertError, type ApiUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';

// The audit history through the whole stack: api → outbox → relay → Dapr/Kafka → audit-service
// (the log), then read back by the api through Dapr service invocation (api sidecar →
// audit-service sidecar, resolved through the stack's own SQLite name resolver).

const ENTRY = /* GraphQL */ `
  fragment Entry on HistoryEntry {
    id
    sequence
    action
    actor {
      kind
      id
    }
    subject
    taskId
    occurredAt
    recordedAt
    changes {
      field
      before
      after
    }
  }
`;
const TASK_HISTORY = /* GraphQL */ `
  query ($id: ID!, $first: Int, $after: String) {
    task(id: $id) {
      history(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...Entry
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
  ${ENTRY}
`;
const HISTORY = /* GraphQL */ `
  query ($filter: HistoryFilter, $first: Int, $after: String) {
    history(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...Entry
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${ENTRY}
`;

interface Entry {
  id: string;
  sequence: number;
  action: string;
  actor: { kind: 'USER' | 'SYSTEM'; id: string | null };
  subject: string;
  taskId: string | null;
  occurredAt: string;
  recordedAt: string;
  changes: { field: string; before: unknown; after: unknown }[];
}
interface Connection {
  edges: { cursor: string; node: Entry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const taskHistory = async (u: ApiUser, id: string, args: { first?: number; after?: string } = {}) =>
  (await u.ok<{ task: { history: Connection } | null }>(TASK_HISTORY, { id, ...args })).task;
const history = async (u: ApiUser, vars: Record<string, unknown> = {}) =>
  (await u.ok<{ history: Connection }>(HISTORY, vars)).history;

/**
 * The user's stored events through the sync-service's sidecar (the one app the access-control
 * policy lets read them): the route the sync-service replays from.
 */
async function eventsAfter(userId: string, after: number, limit?: number) {
  const query = `after=${after}${limit ? `&limit=${limit}` : ''}`;
  const res = await fetch(
    `${testEnv.syncDaprHttp}/v1.0/invoke/audit-service/method/replay/users/${encodeURIComponent(userId)}?${query}`,
    { headers: { 'dapr-api-token': testEnv.daprApiToken } },
  );
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as {
    events: { id: string; type: string; sequence: number; subject: string; userid: string }[];
    head: number;
  };
}

const actions = (c: Connection) => c.edges.map((e) => e.node.action);

describe('history', () => {
  let alice: ApiUser;
  let bob: ApiUser;
  let taskId: string;
  let full: Connection;
  const started = new Date();

  before(async () => {
    [alice, bob] = await Promise.all([apiUser('history-alice'), apiUser('history-bob')]);
    const task = await alice.createTask({ title: 'Water the plants', priority: 'LOW' });
    taskId = task.id;
    await alice.ok(`mutation ($input: UpdateTaskInput!) { updateTask(input: $input) { id } }`, {
      input: { id: taskId, title: 'Water the ferns', priority: 'HIGH' },
    });
    await alice.ok(`mutation ($id: ID!) { completeTask(id: $id) { id } }`, { id: taskId });
    // The log is fed by events: wait until all three have arrived.
    full = await eventually(
      'three history entries for the task',
      async () => {
        const c = (await taskHistory(alice, taskId))!.history;
        return c.edges.length >= 3 ? c : undefined;
      },
      30_000,
    );
  });

  test('Task.history: newest first, with actor, action, time and before/after', () => {
    assert.deepEqual(actions(full), ['task.completed', 'task.updated', 'task.created']);
    const [completed, updated, created] = full.edges.map((e) => e.node) as [Entry, Entry, Entry];
    for (const e of [completed, updated, created]) {
      assert.deepEqual(e.actor, { kind: 'USER', id: alice.id });
      assert.equal(e.subject, taskId);
      assert.equal(e.taskId, taskId);
      assert.ok(Date.parse(e.occurredAt) >= started.getTime() - 1000, e.occurredAt);
      assert.ok(Date.parse(e.recordedAt) >= Date.parse(e.occurredAt), e.recordedAt);
    }
    assert.ok(completed.sequence > updated.sequence && updated.sequence > created.sequence);
    assert.deepEqual(
      [...updated.changes].sort((a, b) => a.field.localeCompare(b.field)),
      [
        { field: 'priority', before: 'LOW', after: 'HIGH' },
        { field: 'title', before: 'Water the plants', after: 'Water the ferns' },
      ],
    );
    assert.deepEqual(
      completed.changes.find((c) => c.field === 'status'),
      { field: 'status', before: 'OPEN', after: 'COMPLETED' },
    );
    assert.deepEqual(
      created.changes.find((c) => c.field === 'title'),
      { field: 'title', before: null, after: 'Water the plants' },
    );
  });

  test('history(filter: { taskId }) is the same list', async () => {
    const c = await history(alice, { filter: { taskId } });
    assert.deepEqual(c, full);
  });

  test('filter by actions and time', async () => {
    const updates = await history(alice, { filter: { taskId, actions: ['task.updated'] } });
    assert.deepEqual(actions(updates), ['task.updated']);
    const future = await history(alice, {
      filter: { since: new Date(Date.now() + 60_000).toISOString() },
    });
    assert.deepEqual(future.edges, []);
  });

  test('pages with first and after', async () => {
    const first = (await taskHistory(alice, taskId, { first: 2 }))!.history;
    assert.deepEqual(actions(first), ['task.completed', 'task.updated']);
    assert.equal(first.pageInfo.hasNextPage, true);
    assert.equal(first.pageInfo.endCursor, first.edges[1]!.cursor);
    const rest = await history(alice, {
      filter: { taskId },
      first: 2,
      after: first.pageInfo.endCursor,
    });
    assert.deepEqual(actions(rest), ['task.created']);
    assert.equal(rest.pageInfo.hasNextPage, false);
    assert.deepEqual([...first.edges, ...rest.edges], full.edges);
  });

  test("another user sees nothing of it: neither the task's history nor the history query", async () => {
    assert.equal(await taskHistory(bob, taskId), null);
    const byTask = await history(bob, { filter: { taskId } });
    assert.deepEqual(byTask, { edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    const own = await bob.createTask({ title: "Bob's own" });
    const bobs = await eventually('bob has one entry', async () => {
      const c = await history(bob);
      return c.edges.length > 0 ? c : undefined;
    });
    assert.deepEqual(
      bobs.edges.map((e) => [e.node.action, e.node.taskId, e.node.actor.id]),
      [['task.created', own.id, bob.id]],
    );
  });

  test('bad arguments are BAD_USER_INPUT naming the argument', async () => {
    assertError(await alice.fails(HISTORY, { first: 0 }), 'BAD_USER_INPUT', 'first');
    assertError(
      await alice.fails(HISTORY, { filter: { actions: ['task.exploded'] } }),
      'BAD_USER_INPUT',
      'filter.actions.0',
    );
    assertError(
      await alice.fails(HISTORY, { filter: { taskId: 'not-a-task' } }),
      'BAD_USER_INPUT',
      'filter.taskId',
    );
    assertError(await alice.fails(HISTORY, { after: 'garbage' }), 'BAD_USER_INPUT', 'after');
    assertError(
      await alice.fails(TASK_HISTORY, { id: taskId, first: 101 }),
      'BAD_USER_INPUT',
      'first',
    );
  });

  test('/replay/users/:id through Dapr: the stored events in sequence order, and the head', async () => {
    const seqs = full.edges.map((e) => e.node.sequence).reverse();
    const all = await eventsAfter(alice.id, 0);
    assert.deepEqual(
      all.events.map((e) => [e.sequence, e.type, e.userid]),
      seqs.map((s, i) => [s, ['task.created', 'task.updated', 'task.completed'][i], alice.id]),
    );
    assert.equal(all.head, seqs.at(-1));
    const later = await eventsAfter(alice.id, seqs[0]!);
    assert.deepEqual(
      later.events.map((e) => e.sequence),
      seqs.slice(1),
    );
    const one = await eventsAfter(alice.id, 0, 1);
    assert.deepEqual(
      one.events.map((e) => e.sequence),
      [seqs[0]],
    );
    assert.equal(one.head, seqs.at(-1));
    assert.deepEqual(await eventsAfter(`nobody-${alice.id}`, 0), { events: [], head: 0 });
  });
});

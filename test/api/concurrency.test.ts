import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type postgres from 'postgres';
import type { CommandContext } from '../../api/command.js';
import { createTask } from '../../api/tasks/create-task.js';
import { deleteTasks } from '../../api/tasks/delete-task.js';
import { setStatus } from '../../api/tasks/set-status.js';
import { updateTask } from '../../api/tasks/update-task.js';
import type { UserId } from '../../domain/ids.js';
import { CreateTaskInput, UpdateTaskInput } from '../../domain/task.js';
import { DEFAULT_QUOTAS } from '../../api/limits/quotas.js';
import {
  apiUser,
  CREATE_TASK,
  openDb,
  outboxOf,
  uniqueUser,
  type TaskView,
} from '../support/api-client.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-db.js';

// Races through the running api, and outbox atomicity through the command functions against a
// throwaway database whose outbox can be told to refuse an insert.

const UPDATE = /* GraphQL */ `
  mutation Update($input: UpdateTaskInput!) {
    updateTask(input: $input) {
      id
      title
      version
    }
  }
`;
const COMPLETE = /* GraphQL */ `
  mutation ($id: ID!) {
    completeTask(id: $id) {
      id
      status
      version
      completedAt
    }
  }
`;

let sql: postgres.Sql;
before(() => {
  sql = openDb();
});
after(async () => {
  await sql.end({ timeout: 2 });
});

describe('races through the api', () => {
  test('concurrent updates with the same expectedVersion: exactly one wins, the others are CONFLICT', async () => {
    const u = await apiUser('race-update');
    for (const racers of [2, 2, 2, 5]) {
      const t = await u.createTask({ title: 'start' });
      const results = await Promise.all(
        Array.from({ length: racers }, (_, i) =>
          u.raw<{ updateTask: { title: string; version: number } }>(UPDATE, {
            input: { id: t.id, expectedVersion: 1, title: `racer ${i}` },
          }),
        ),
      );
      const won = results.filter((r) => !r.body.errors);
      const lost = results.filter((r) => r.body.errors);
      assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.body)));
      assert.equal(lost.length, racers - 1);
      for (const r of lost) assert.equal(r.body.errors![0]!.extensions?.code, 'CONFLICT');
      const winner = won[0]!.body.data!.updateTask;
      assert.equal(winner.version, 2);
      const now = await u.task(t.id);
      assert.equal(now!.title, winner.title, "the winner's write is the one kept");
      assert.equal(now!.version, 2);
      const updates = (await outboxOf(sql, u.id)).filter(
        (e) => e.subject === t.id && e.type === 'task.updated',
      );
      assert.equal(updates.length, 1, 'one task.updated');
    }
  });

  test('concurrent updates without expectedVersion all apply, one version and one event each', async () => {
    const u = await apiUser('race-update-free');
    const t = await u.createTask({ title: 'start' });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        u.ok<{ updateTask: { version: number } }>(UPDATE, {
          input: { id: t.id, title: `writer ${i}` },
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.updateTask.version).sort(), [2, 3, 4, 5, 6]);
    const events = (await outboxOf(sql, u.id)).filter((e) => e.type === 'task.updated');
    assert.deepEqual(
      events.map((e) => e.data.task!.version),
      [2, 3, 4, 5, 6],
      'events in version order',
    );
  });

  test('10 concurrent creates with one idempotencyKey: one task, one event, the same id for all', async () => {
    const u = await apiUser('race-idem');
    const input = { title: 'Only once', idempotencyKey: `key-${u.id}` };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => u.raw<{ createTask: TaskView }>(CREATE_TASK, { input })),
    );
    for (const r of results) assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    const ids = new Set(results.map((r) => r.body.data!.createTask.id));
    assert.equal(ids.size, 1, 'every retry got the same task');
    const [{ count }] = await sql<[{ count: string }]>`
      SELECT count(*) FROM tasks WHERE user_id = ${u.id}`;
    assert.equal(Number(count), 1);
    const events = await outboxOf(sql, u.id);
    assert.deepEqual(
      events.map((e) => [e.type, e.subject]),
      [['task.created', [...ids][0]]],
    );
    // A later retry still returns it; another key makes another task.
    assert.equal((await u.createTask(input)).id, [...ids][0]);
    const other = await u.createTask({ ...input, idempotencyKey: `other-${u.id}` });
    assert.ok(!ids.has(other.id));
  });

  test('concurrent completes of one task: all succeed, one task.completed', async () => {
    const u = await apiUser('race-complete');
    const t = await u.createTask({ title: 'done once' });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        u.ok<{ completeTask: { status: string; version: number; completedAt: string } }>(COMPLETE, {
          id: t.id,
        }),
      ),
    );
    assert.ok(results.every((r) => r.completeTask.status === 'COMPLETED'));
    assert.ok(results.every((r) => r.completeTask.version === 2));
    assert.equal(new Set(results.map((r) => r.completeTask.completedAt)).size, 1);
    const completed = (await outboxOf(sql, u.id)).filter((e) => e.type === 'task.completed');
    assert.equal(completed.length, 1);
  });
});

describe('outbox atomicity (command functions on a throwaway database)', () => {
  let db: ThrowawayDatabase;
  before(async () => {
    db = await createThrowawayDatabase('outbox_atomic');
    // The outbox refuses the events listed in refuse_events: the insert fails inside the
    // command's transaction, after the task row was written.
    await db.sql.unsafe(`
      CREATE TABLE refuse_events (user_id text NOT NULL, type text NOT NULL);
      CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM refuse_events
                   WHERE user_id = NEW.event->>'userid' AND type = NEW.event->>'type') THEN
          RAISE EXCEPTION 'outbox refused % for %', NEW.event->>'type', NEW.event->>'userid';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox
        FOR EACH ROW EXECUTE FUNCTION refuse_outbox();
    `);
  });
  after(async () => {
    await db?.drop();
  });

  const ctxFor = (userId: string): CommandContext => ({ sql: db.sql, userId: userId as UserId });
  const refuse = async (userId: string, type: string) => {
    await db.sql`INSERT INTO refuse_events (user_id, type) VALUES (${userId}, ${type})`;
  };
  const state = async (userId: string) => {
    const tasks = await db.sql<
      { id: string; title: string; status: string; version: number; deletedAt: Date | null }[]
    >`SELECT id, title, status, version, deleted_at FROM tasks WHERE user_id = ${userId} ORDER BY created_at`;
    const events = await db.sql<{ type: string; subject: string; sequence: string }[]>`
      SELECT event->>'type' AS type, subject, event->>'sequence' AS sequence
      FROM outbox WHERE event->>'userid' = ${userId} ORDER BY position`;
    const users = await db.sql<{ eventSequence: string }[]>`
      SELECT event_sequence FROM users WHERE id = ${userId}`;
    return {
      tasks: [...tasks],
      events: events.map((e) => [e.type, e.subject, Number(e.sequence)]),
      sequence: users[0] ? Number(users[0].eventSequence) : null,
    };
  };

  test('a create whose event fails leaves no task, no event, no user', async () => {
    const user = uniqueUser('atomic-create');
    await refuse(user, 'task.created');
    await assert.rejects(
      createTask(ctxFor(user), CreateTaskInput.parse({ title: 'never' })),
      /outbox refused task.created/,
    );
    assert.deepEqual(await state(user), { tasks: [], events: [], sequence: null });
  });

  test('a committed create has its task and exactly one event', async () => {
    const user = uniqueUser('atomic-ok');
    const task = await createTask(ctxFor(user), CreateTaskInput.parse({ title: 'kept' }));
    const s = await state(user);
    assert.deepEqual(
      s.tasks.map((t) => [t.id, t.title, t.version]),
      [[task.id, 'kept', 1]],
    );
    assert.deepEqual(s.events, [['task.created', task.id, 1]]);
  });

  test("one user's concurrent creates share transactions, each with its own task, event and trace", async () => {
    const user = uniqueUser('group-commit');
    const trace = (i: number) => `00-${String(i).padStart(32, '0')}-${'1'.repeat(16)}-01`;
    const tasks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createTask(
          { ...ctxFor(user), traceparent: trace(i) },
          CreateTaskInput.parse({ title: `t${i}` }),
        ),
      ),
    );
    assert.deepEqual(
      tasks.map((t) => t.title),
      Array.from({ length: 20 }, (_, i) => `t${i}`),
    );
    const events = await db.sql<{ subject: string; traceparent: string; sequence: string }[]>`
      SELECT subject, event->>'traceparent' AS traceparent, event->>'sequence' AS sequence
      FROM outbox WHERE event->>'userid' = ${user} ORDER BY position`;
    assert.deepEqual(
      events.map((e) => [e.subject, e.traceparent]),
      tasks.map((t, i) => [t.id, trace(i)]),
      "each event carries its own request's trace",
    );
    assert.deepEqual(
      events.map((e) => Number(e.sequence)),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // The first create ran alone; the 19 that came while it was in flight went together.
    const [{ n }] = await db.sql<[{ n: number }]>`
      SELECT count(DISTINCT xmin::text)::int AS n FROM tasks WHERE user_id = ${user}`;
    assert.equal(n, 2);
  });

  test('a group of creates keeps the quota: the creates past it fail alone', async () => {
    const user = uniqueUser('group-quota');
    const ctx = { ...ctxFor(user), quotas: { ...DEFAULT_QUOTAS, openTasks: 3 } };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        createTask(ctx, CreateTaskInput.parse({ title: `q${i}` })),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    for (const r of results.filter((r) => r.status === 'rejected'))
      assert.equal((r.reason as { code?: string }).code, 'QUOTA_EXCEEDED');
    assert.equal((await state(user)).tasks.length, 3);
  });

  test('an update, complete or delete whose event fails changes nothing and leaves no gap', async () => {
    const user = uniqueUser('atomic-change');
    const ctx = ctxFor(user);
    const task = await createTask(ctx, CreateTaskInput.parse({ title: 'original' }));
    for (const type of ['task.updated', 'task.completed', 'task.deleted']) await refuse(user, type);

    await assert.rejects(
      updateTask(ctx, UpdateTaskInput.parse({ id: task.id, title: 'changed' })),
      /outbox refused task.updated/,
    );
    await assert.rejects(setStatus(ctx, [task.id], 'COMPLETED'), /outbox refused task.completed/);
    await assert.rejects(deleteTasks(ctx, [task.id]), /outbox refused task.deleted/);

    const s = await state(user);
    assert.deepEqual(
      s.tasks.map((t) => [t.title, t.status, t.version, t.deletedAt]),
      [['original', 'OPEN', 1, null]],
    );
    assert.deepEqual(s.events, [['task.created', task.id, 1]]);
    assert.equal(s.sequence, 1, 'the failed events took no sequence numbers');

    // Once the outbox accepts again, the next change is event 2: no gap, no leftovers.
    await db.sql`DELETE FROM refuse_events WHERE user_id = ${user}`;
    const done = await setStatus(ctx, [task.id], 'COMPLETED');
    assert.equal(done[0]!.version, 2);
    assert.deepEqual((await state(user)).events, [
      ['task.created', task.id, 1],
      ['task.completed', task.id, 2],
    ]);
  });

  test('a batch whose second event fails rolls back the first task too', async () => {
    const user = uniqueUser('atomic-batch');
    const ctx = ctxFor(user);
    const a = await createTask(ctx, CreateTaskInput.parse({ title: 'a' }));
    const b = await createTask(ctx, CreateTaskInput.parse({ title: 'b' }));
    // Refuse only the second event of the batch: count them with a sequence.
    await db.sql.unsafe(`
      CREATE OR REPLACE FUNCTION refuse_second_completion() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event->>'userid' = '${user}' AND NEW.event->>'type' = 'task.completed'
           AND EXISTS (SELECT 1 FROM outbox WHERE event->>'userid' = '${user}'
                       AND event->>'type' = 'task.completed') THEN
          RAISE EXCEPTION 'outbox refused the second completion';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_second_completion BEFORE INSERT ON outbox
        FOR EACH ROW EXECUTE FUNCTION refuse_second_completion();
    `);
    try {
      await assert.rejects(setStatus(ctx, [a.id, b.id], 'COMPLETED'), /second completion/);
    } finally {
      await db.sql.unsafe(`DROP TRIGGER refuse_second_completion ON outbox`);
    }
    const s = await state(user);
    assert.deepEqual(
      s.tasks.map((t) => [t.title, t.status, t.version]),
      [
        ['a', 'OPEN', 1],
        ['b', 'OPEN', 1],
      ],
    );
    assert.equal(s.events.length, 2, 'only the two task.created events');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type postgres from 'postgres';
import { reminderWorkflowId } from '../../workflows/reminder-contract.js';
import { apiUser, openDb, type ApiUser, type TaskView } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';

// What happens to a task's reminder when the task changes right after it was created, through
// the running services: api → outbox → relay → Temporal (signals) → worker → notifications, and
// every event on to the audit log through Dapr and Kafka. The cases overlap in time, so the file
// takes about as long as its slowest case.

const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateTaskInput!) {
    updateTask(input: $input) {
      id
      dueAt
      nextReminderAt
      version
    }
  }
`;
const COMPLETE = /* GraphQL */ `
  mutation ($id: ID!) {
    completeTask(id: $id) {
      id
      status
    }
  }
`;
const REOPEN = /* GraphQL */ `
  mutation ($id: ID!) {
    reopenTask(id: $id) {
      id
      status
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($id: ID!) {
    deleteTask(id: $id) {
      deletedIds
    }
  }
`;

/** How long after its time a reminder that should not fire is given to (wrongly) fire. */
const MARGIN_MS = 3_000;

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

let sql: postgres.Sql;
let connection: Connection;
let temporal: Client;
before(async () => {
  sql = openDb();
  connection = await Connection.connect({ address: testEnv.temporalAddress });
  temporal = new Client({ connection, namespace: 'default' });
});
after(async () => {
  await sql.end({ timeout: 2 });
  await connection?.close();
});

/**
 * The task's reminder workflow has ended, before its fire time: the signal stopped it (the
 * delivery activity's own check of the task is a second line of defence, not the mechanism).
 */
async function workflowEndsBefore(taskId: string, fireAt: Date): Promise<void> {
  const handle = temporal.workflow.getHandle(reminderWorkflowId(taskId));
  await eventually(
    `reminder workflow of ${taskId} to end`,
    async () => {
      const status = await handle.describe().then(
        (d) => d.status.name,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return 'NOT_STARTED_YET';
          throw err;
        },
      );
      return status === 'COMPLETED' ? true : undefined;
    },
    fireAt.getTime() - Date.now() - 300,
  );
}

const notifications = async (taskId: string): Promise<{ fireAt: Date; deliveredAt: Date }[]> => [
  ...(await sql<{ fireAt: Date; deliveredAt: Date }[]>`
    SELECT fire_at AS "fireAt", delivered_at AS "deliveredAt"
    FROM notifications WHERE task_id = ${taskId}`),
];
const auditTypes = async (taskId: string): Promise<string[]> =>
  (
    await sql<{ type: string }[]>`
      SELECT type FROM audit.events WHERE subject = ${taskId} ORDER BY sequence`
  ).map((r) => r.type);

/** A task whose reminder fires `inMs` from now (due two seconds after that). */
async function taskWithReminder(u: ApiUser, title: string, inMs: number) {
  const fireAt = new Date(Date.now() + inMs);
  fireAt.setMilliseconds(0);
  const dueAt = new Date(fireAt.getTime() + 2_000);
  const t = await u.createTask({ title, dueAt: dueAt.toISOString(), remindBefore: 'PT2S' });
  assert.equal(t.nextReminderAt, fireAt.toISOString());
  return { task: t, fireAt };
}

/** Waits until the audit log holds exactly `types` for the task (each delivered once). */
async function auditHas(taskId: string, types: string[]): Promise<void> {
  await eventually(
    `audit log of ${taskId} to be ${types.join(', ')}`,
    async () => ((await auditTypes(taskId)).length >= types.length ? true : undefined),
    20_000,
  );
  assert.deepEqual(await auditTypes(taskId), types);
}

describe('reminders follow the task', { concurrency: true }, () => {
  test('a task completed right away never fires', async () => {
    const u = await apiUser('life-complete');
    const { task, fireAt } = await taskWithReminder(u, 'Completed at once', 6_000);
    await u.ok(COMPLETE, { id: task.id });
    await workflowEndsBefore(task.id, fireAt);
    await sleepUntil(fireAt.getTime() + MARGIN_MS);
    assert.deepEqual(await notifications(task.id), [], 'no notification');
    await auditHas(task.id, ['task.created', 'task.completed']);
  });

  test('a task deleted right away never fires', async () => {
    const u = await apiUser('life-delete');
    const { task, fireAt } = await taskWithReminder(u, 'Deleted at once', 6_000);
    await u.ok(DELETE, { id: task.id });
    await workflowEndsBefore(task.id, fireAt);
    await sleepUntil(fireAt.getTime() + MARGIN_MS);
    assert.deepEqual(await notifications(task.id), [], 'no notification');
    await auditHas(task.id, ['task.created', 'task.deleted']);
  });

  test('a task whose due date moves later fires once, at the new time, not the old one', async () => {
    const u = await apiUser('life-move');
    const { task, fireAt: oldFireAt } = await taskWithReminder(u, 'Moved later', 5_000);
    const newFireAt = new Date(oldFireAt.getTime() + 4_000);
    const moved = (
      await u.ok<{ updateTask: Pick<TaskView, 'dueAt' | 'nextReminderAt' | 'version'> }>(UPDATE, {
        input: { id: task.id, dueAt: new Date(newFireAt.getTime() + 2_000).toISOString() },
      })
    ).updateTask;
    assert.equal(moved.nextReminderAt, newFireAt.toISOString());
    assert.equal(moved.version, 2);

    // Past the old time (with margin, still before the new one): nothing yet.
    await sleepUntil(oldFireAt.getTime() + 2_500);
    assert.deepEqual(await notifications(task.id), [], 'nothing at the old time');

    const [fired] = await eventually(
      'the reminder at the new time',
      async () => {
        const rows = await notifications(task.id);
        return rows.length ? rows : undefined;
      },
      newFireAt.getTime() - Date.now() + 15_000,
    );
    assert.equal(fired!.fireAt.toISOString(), newFireAt.toISOString());
    assert.ok(fired!.deliveredAt.getTime() >= newFireAt.getTime(), 'not early');

    await auditHas(task.id, ['task.created', 'task.updated', 'reminder.fired']);
    // Time for a duplicate to show up before declaring there is none.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await notifications(task.id)).length, 1, 'fired once');
    assert.deepEqual(await auditTypes(task.id), ['task.created', 'task.updated', 'reminder.fired']);
  });

  test('a task completed and reopened before its time fires once, on time', async () => {
    const u = await apiUser('life-reopen');
    const { task, fireAt } = await taskWithReminder(u, 'Reopened', 7_000);
    await u.ok(COMPLETE, { id: task.id });
    // Let the completion reach the workflow before the reopen does.
    await auditHas(task.id, ['task.created', 'task.completed']);
    await u.ok(REOPEN, { id: task.id });
    const [fired] = await eventually(
      'the reminder after the reopen',
      async () => {
        const rows = await notifications(task.id);
        return rows.length ? rows : undefined;
      },
      fireAt.getTime() - Date.now() + 15_000,
    );
    assert.equal(fired!.fireAt.toISOString(), fireAt.toISOString());
    assert.ok(fired!.deliveredAt.getTime() >= fireAt.getTime(), 'not early');
    await auditHas(task.id, ['task.created', 'task.completed', 'task.reopened', 'reminder.fired']);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await notifications(task.id)).length, 1, 'fired once');
  });
});

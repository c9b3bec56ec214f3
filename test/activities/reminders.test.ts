import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createReminderActivities, type DeliverReminderInput } from '../../activities/reminders.js';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import { parseEvent } from '../../domain/events.js';
import type { UserId } from '../../domain/ids.js';
import { testEnv } from '../support/env.js';

// deliverReminder against the stack's database. The tasks here have no reminder of their own,
// so the stack's relay only publishes their events; it starts no workflow for them.

const run = Date.now().toString(36);
let counter = 0;
const FIRED_AT = new Date('2031-03-01T08:00:01.500Z');

let sql: Sql;
let deliverReminder: ReturnType<typeof createReminderActivities>['deliverReminder'];
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-activities', max: 4 });
  ({ deliverReminder } = createReminderActivities({ sql, now: () => FIRED_AT }));
});
after(async () => {
  await sql.end({ timeout: 2 });
});

async function newTask(title = 'Call the dentist'): Promise<{ userId: UserId; taskId: string }> {
  const userId = `activity-${run}-${++counter}` as UserId;
  const task = await createTask({ sql, userId }, { title });
  return { userId, taskId: task.id };
}

const input = (
  t: { userId: string; taskId: string },
  fireAt = '2031-03-01T08:00:00.000Z',
): DeliverReminderInput => ({
  taskId: t.taskId,
  userId: t.userId,
  reminderId: 'due',
  fireAt,
});

async function recorded(taskId: string) {
  const notifications = await sql<{ idempotencyKey: string; reminderId: string; fireAt: Date }[]>`
    SELECT idempotency_key, reminder_id, fire_at FROM notifications WHERE task_id = ${taskId} ORDER BY fire_at`;
  const fired = await sql<{ event: unknown; topic: string }[]>`
    SELECT event, topic FROM outbox WHERE subject = ${taskId} AND event->>'type' = 'reminder.fired' ORDER BY position`;
  return { notifications, fired };
}

describe('deliverReminder', () => {
  test('records the notification and its reminder.fired event together', async () => {
    const t = await newTask();
    assert.equal(await deliverReminder(input(t)), 'sent');
    const { notifications, fired } = await recorded(t.taskId);
    assert.equal(notifications.length, 1);
    assert.equal(notifications[0]!.idempotencyKey, `${t.taskId}:due:2031-03-01T08:00:00.000Z`);
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.topic, 'reminders');
    const parsed = parseEvent(fired[0]!.event);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.equal(parsed.event.userid, t.userId);
    assert.equal(parsed.event.subject, t.taskId);
    assert.equal(parsed.event.sequence, 2, 'after the task.created event');
    assert.equal(parsed.event.time, FIRED_AT.toISOString());
    assert.deepEqual(parsed.event.data, {
      taskId: t.taskId,
      reminderId: 'due',
      title: 'Call the dentist',
      fireAt: '2031-03-01T08:00:00.000Z',
      firedAt: FIRED_AT.toISOString(),
    });
  });

  test('a retried attempt is a duplicate and records nothing more, whatever the offset of fireAt', async () => {
    const t = await newTask();
    assert.equal(await deliverReminder(input(t)), 'sent');
    assert.equal(await deliverReminder(input(t)), 'duplicate');
    assert.equal(await deliverReminder(input(t, '2031-03-01T09:00:00+01:00')), 'duplicate');
    const { notifications, fired } = await recorded(t.taskId);
    assert.equal(notifications.length, 1);
    assert.equal(fired.length, 1);
  });

  test('concurrent attempts for the same reminder notify once', async () => {
    const t = await newTask();
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => deliverReminder(input(t))));
    assert.deepEqual(outcomes.sort(), ['duplicate', 'duplicate', 'duplicate', 'sent']);
    const { notifications, fired } = await recorded(t.taskId);
    assert.equal(notifications.length, 1);
    assert.equal(fired.length, 1);
  });

  test('another fire time of the same reminder (a reschedule) is a new notification', async () => {
    const t = await newTask();
    assert.equal(await deliverReminder(input(t, '2031-03-01T08:00:00.000Z')), 'sent');
    assert.equal(await deliverReminder(input(t, '2031-03-02T08:00:00.000Z')), 'sent');
    const { notifications, fired } = await recorded(t.taskId);
    assert.equal(notifications.length, 2);
    assert.equal(fired.length, 2);
  });

  const skipped: [
    string,
    (t: { userId: string; taskId: string }) => Promise<DeliverReminderInput>,
  ][] = [
    ['a task that does not exist', async (t) => ({ ...input(t), taskId: randomUUID() })],
    ['a task of another user', async (t) => ({ ...input(t), userId: `${t.userId}-other` })],
    [
      'a completed task',
      async (t) => {
        await sql`UPDATE tasks SET status = 'COMPLETED' WHERE id = ${t.taskId}`;
        return input(t);
      },
    ],
    [
      'a deleted task',
      async (t) => {
        await sql`UPDATE tasks SET deleted_at = now() WHERE id = ${t.taskId}`;
        return input(t);
      },
    ],
  ];
  for (const [what, prepare] of skipped) {
    test(`${what} is skipped and nothing is recorded`, async () => {
      const t = await newTask();
      assert.equal(await deliverReminder(await prepare(t)), 'skipped');
      const { notifications, fired } = await recorded(t.taskId);
      assert.deepEqual([notifications.length, fired.length], [0, 0]);
    });
  }
});

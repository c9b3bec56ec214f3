import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { createReminderActivities, type DeliverReminderInput } from '../../activities/reminders.js';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import { parseEvent } from '../../domain/events.js';
import type { UserId } from '../../domain/ids.js';
import { testEnv } from '../support/env.js';

// deliverReminder against the stack's database. Each task here has one reminder at FIRE_AT in
// 2031: the stack's relay arms a workflow for it that sleeps past the end of the run.

const run = Date.now().toString(36);
let counter = 0;
const FIRE_AT = '2031-03-01T08:00:00.000Z';
let now = new Date('2031-03-01T08:00:01.500Z');
const FIRED_AT = now;

let sql: Sql;
let deliverReminder: ReturnType<typeof createReminderActivities>['deliverReminder'];
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-activities', max: 4 });
  ({ deliverReminder } = createReminderActivities({
    sql,
    now: () => now,
    scheduleDigest: () => Promise.reject(new Error('no quiet hours here')),
  }));
});
after(async () => {
  await sql.end({ timeout: 2 });
});

interface TestTask {
  userId: UserId;
  taskId: string;
  reminderId: string;
}

async function newTask(title = 'Call the dentist'): Promise<TestTask> {
  const userId = `activity-${run}-${++counter}` as UserId;
  const task = await createTask(
    { sql, userId },
    { title, reminders: [{ offsetMs: null, at: new Date(FIRE_AT) }] },
  );
  return { userId, taskId: task.id, reminderId: task.reminders[0]!.id };
}

const input = (t: TestTask, fireAt = FIRE_AT): DeliverReminderInput => ({
  taskId: t.taskId,
  userId: t.userId,
  reminderId: t.reminderId,
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
  afterEach(() => {
    now = FIRED_AT;
  });

  test('records the notification and its reminder.fired event together', async () => {
    const t = await newTask();
    assert.equal(await deliverReminder(input(t)), 'sent');
    const { notifications, fired } = await recorded(t.taskId);
    assert.equal(notifications.length, 1);
    assert.equal(notifications[0]!.idempotencyKey, `${t.taskId}:${t.reminderId}:${FIRE_AT}`);
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
      reminderId: t.reminderId,
      title: 'Call the dentist',
      fireAt: FIRE_AT,
      firedAt: FIRED_AT.toISOString(),
      late: false,
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

  test('a snoozed reminder fires again at its new time: a new notification', async () => {
    const t = await newTask();
    assert.equal(await deliverReminder(input(t)), 'sent');
    await sql`UPDATE reminders SET snoozed_until = '2031-03-02T08:00:00Z' WHERE id = ${t.reminderId}`;
    now = new Date('2031-03-02T08:00:00.200Z');
    assert.equal(await deliverReminder(input(t, '2031-03-02T08:00:00.000Z')), 'sent');
    const { notifications, fired } = await recorded(t.taskId);
    assert.equal(notifications.length, 2);
    assert.equal(fired.length, 2);
  });

  test('a fire time the reminder no longer has (moved, snoozed elsewhere) is skipped', async () => {
    const t = await newTask();
    await sql`UPDATE reminders SET snoozed_until = '2031-03-05T08:00:00Z' WHERE id = ${t.reminderId}`;
    assert.equal(await deliverReminder(input(t)), 'skipped');
    assert.equal((await recorded(t.taskId)).notifications.length, 0);
  });

  test('delivered minutes after its time (an outage) it is sent and marked late', async () => {
    const t = await newTask();
    now = new Date(Date.parse(FIRE_AT) + 5 * 60_000);
    assert.equal(await deliverReminder(input(t)), 'late');
    const [n] = await sql<
      { late: boolean; missed: boolean }[]
    >`SELECT late, missed FROM notifications WHERE task_id = ${t.taskId}`;
    assert.deepEqual({ ...n }, { late: true, missed: false });
    const { fired } = await recorded(t.taskId);
    const parsed = parseEvent(fired[0]!.event);
    assert.ok(parsed.ok && parsed.event.type === 'reminder.fired' && parsed.event.data.late);
  });

  test('beyond the grace period it is recorded as missed, not sent', async () => {
    const t = await newTask();
    now = new Date(Date.parse(FIRE_AT) + 2 * 3_600_000);
    assert.equal(await deliverReminder(input(t)), 'missed');
    const [n] = await sql<
      { missed: boolean }[]
    >`SELECT missed FROM notifications WHERE task_id = ${t.taskId}`;
    assert.equal(n!.missed, true);
    const { fired } = await recorded(t.taskId);
    assert.equal(fired.length, 0, 'no reminder.fired');
    const [missed] = await sql<{ count: string }[]>`
      SELECT count(*) FROM outbox WHERE subject = ${t.taskId} AND event->>'type' = 'reminder.missed'`;
    assert.equal(Number(missed!.count), 1);
    assert.equal(await deliverReminder(input(t)), 'duplicate', 'and only once');
  });

  const skipped: [string, (t: TestTask) => Promise<DeliverReminderInput>][] = [
    [
      'a dismissed reminder',
      async (t) => {
        await sql`UPDATE reminders SET dismissed_at = now() WHERE id = ${t.reminderId}`;
        return input(t);
      },
    ],
    ['a reminder that does not exist', async (t) => ({ ...input(t), reminderId: randomUUID() })],
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

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createDigestActivities } from '../../activities/digests.js';
import { createReminderActivities } from '../../activities/reminders.js';
import { updateSettings } from '../../api/settings/settings.js';
import { createTask } from '../../api/tasks/create-task.js';
import { updateTask } from '../../api/tasks/update-task.js';
import { deliveriesOf } from '../../db/reminders.js';
import { createSql, type Sql } from '../../db/sql.js';
import { findTaskById } from '../../db/tasks.js';
import { changesOf } from '../../domain/history.js';
import { parseEvent, type TicklerEvent } from '../../domain/events.js';
import type { TaskId, UserId } from '../../domain/ids.js';
import { reminderState } from '../../domain/reminder.js';
import { testEnv } from '../support/env.js';

// The per-task mute and the inApp preference, decided in the delivery activities from the rows
// they read: against the stack's database, with times in 2031 (the stack's own workflows for
// these tasks only sleep). Quiet hours 22:00–07:00 Europe/Berlin end at 06:00Z on 2 March 2031.

const run = Date.now().toString(36);
let n = 0;
const WINDOW_END = '2031-03-02T06:00:00.000Z';
let now = new Date();

let sql: Sql;
let reminders: ReturnType<typeof createReminderActivities>;
let digests: ReturnType<typeof createDigestActivities>;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-mute', max: 4 });
  reminders = createReminderActivities({ sql, now: () => now, scheduleDigest: async () => {} });
  digests = createDigestActivities({ sql, now: () => now });
});
after(() => sql.end({ timeout: 2 }));

async function user(settings: { inApp?: boolean; quiet?: boolean } = {}): Promise<UserId> {
  const userId = `mute-${run}-${++n}` as UserId;
  await updateSettings(sql, userId, {
    timeZone: 'Europe/Berlin',
    ...(settings.quiet ? { quietHours: { startMinute: 22 * 60, endMinute: 7 * 60 } } : {}),
    notificationPreferences: { inApp: settings.inApp ?? true },
  });
  return userId;
}

async function taskAt(userId: UserId, fireAt: string, muted = false) {
  const task = await createTask(
    { sql, userId },
    { title: 'Water the plants', muted, reminders: [{ offsetMs: null, at: new Date(fireAt) }] },
  );
  return { taskId: task.id, userId, reminderId: task.reminders[0]!.id, fireAt };
}

async function fire(t: Awaited<ReturnType<typeof taskAt>>) {
  now = new Date(Date.parse(t.fireAt) + 300);
  return reminders.deliverReminder(t);
}

const notificationCount = async (userId: string) =>
  Number(
    (
      await sql<[{ count: string }]>`SELECT count(*) FROM notifications WHERE user_id = ${userId}`
    )[0].count,
  );

async function eventsOf(userId: string, type: string): Promise<TicklerEvent[]> {
  const rows = await sql<{ event: unknown }[]>`
    SELECT event FROM outbox WHERE event->>'userid' = ${userId} AND event->>'type' = ${type}
    ORDER BY position`;
  return rows.map((r) => {
    const parsed = parseEvent(r.event);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    return parsed.event;
  });
}

/** The reminder's state as Task.reminders shows it. */
async function stateOf(taskId: string) {
  const task = (await findTaskById(sql, taskId as TaskId))!;
  return reminderState(task.reminders[0]!, task.dueAt, await deliveriesOf(sql, [taskId]));
}

describe('a muted task', () => {
  test('its reminder is recorded as MUTED: no notification, an event marked muted', async () => {
    const u = await user();
    const t = await taskAt(u, '2031-03-01T12:00:00.000Z', true);
    assert.equal(await fire(t), 'muted', 'the workflow sends to channels only after sent/late');
    assert.equal(await notificationCount(u), 0);
    assert.equal(await stateOf(t.taskId), 'MUTED');
    const [fired, ...more] = await eventsOf(u, 'reminder.fired');
    assert.equal(more.length, 0);
    assert.ok(fired?.type === 'reminder.fired');
    assert.equal(fired.data.muted, true);
    assert.equal(fired.data.inApp, false);
    // What history shows of it.
    assert.deepEqual(
      changesOf(fired).filter((c) => ['inApp', 'muted'].includes(c.field)),
      [
        { field: 'inApp', before: null, after: false },
        { field: 'muted', before: null, after: true },
      ],
    );
    // A retry (the worker died before it reported) records nothing more.
    assert.equal(await fire(t), 'duplicate');
    assert.equal((await eventsOf(u, 'reminder.fired')).length, 1);
  });

  test('the mute is read at delivery time: unmuted, the same reminder notifies', async () => {
    const u = await user();
    const t = await taskAt(u, '2031-03-01T12:00:00.000Z', true);
    const unmuted = await updateTask({ sql, userId: u }, { id: t.taskId, muted: false });
    assert.equal(unmuted.muted, false);
    assert.equal(await fire(t), 'sent');
    assert.equal(await notificationCount(u), 1);
    assert.equal(await stateOf(t.taskId), 'FIRED');
    const [fired] = await eventsOf(u, 'reminder.fired');
    assert.ok(fired?.type === 'reminder.fired');
    assert.equal(fired.data.muted, undefined, 'an ordinary firing reads as it always did');
    assert.equal(fired.data.inApp, undefined);
  });

  test('muting is a task.updated change; the snapshot carries muted', async () => {
    const u = await user();
    const t = await taskAt(u, '2031-03-01T12:00:00.000Z');
    const muted = await updateTask({ sql, userId: u }, { id: t.taskId, muted: true });
    assert.equal(muted.muted, true);
    const again = await updateTask({ sql, userId: u }, { id: t.taskId, muted: true });
    assert.equal(again.version, muted.version, 'muting a muted task changes nothing');
    const updates = await eventsOf(u, 'task.updated');
    assert.equal(updates.length, 1);
    const [e] = updates;
    assert.ok(e?.type === 'task.updated');
    assert.deepEqual(e.data.changes, { muted: { before: false, after: true } });
    assert.equal(e.data.task.muted, true);
    const [created] = await eventsOf(u, 'task.created');
    assert.ok(created?.type === 'task.created');
    assert.equal(created.data.task.muted, false);
  });

  test('in quiet hours it is not deferred; muted after deferral, it leaves the digest', async () => {
    const u = await user({ quiet: true });
    const mutedFirst = await taskAt(u, '2031-03-01T22:30:00.000Z', true);
    assert.equal(await fire(mutedFirst), 'muted');
    const mutedLater = await taskAt(u, '2031-03-01T23:00:00.000Z');
    const kept = await taskAt(u, '2031-03-01T23:30:00.000Z');
    assert.equal(await fire(mutedLater), 'deferred');
    assert.equal(await fire(kept), 'deferred');
    await updateTask({ sql, userId: u }, { id: mutedLater.taskId, muted: true });

    now = new Date(Date.parse(WINDOW_END) + 50);
    const digestId = randomUUID();
    assert.deepEqual(await digests.deliverDigest({ userId: u, windowEnd: WINDOW_END, digestId }), {
      digestId,
      reminders: 1,
    });
    const notes = await sql<{ taskId: string }[]>`
      SELECT task_id FROM notifications WHERE user_id = ${u}`;
    assert.deepEqual(
      notes.map((x) => x.taskId),
      [kept.taskId],
    );
    assert.equal(await stateOf(mutedLater.taskId), 'MUTED');
    const [dropped] = await sql<{ droppedReason: string }[]>`
      SELECT dropped_reason FROM deferred_reminders WHERE task_id = ${mutedLater.taskId}`;
    assert.equal(dropped!.droppedReason, 'task muted');
    const fired = await eventsOf(u, 'reminder.fired');
    assert.deepEqual(
      fired.map((e) => [e.subject, e.type === 'reminder.fired' && e.data.muted]),
      [
        [mutedFirst.taskId, true],
        [mutedLater.taskId, true],
      ],
    );
  });
});

describe('inApp off', () => {
  test('a reminder fires (FIRED, event marked inApp: false) with no notification row', async () => {
    const u = await user({ inApp: false });
    const t = await taskAt(u, '2031-03-01T12:00:00.000Z');
    assert.equal(await fire(t), 'sent', 'so the workflow still sends e-mail and webhook');
    assert.equal(await notificationCount(u), 0);
    assert.equal(await stateOf(t.taskId), 'FIRED');
    const [fired] = await eventsOf(u, 'reminder.fired');
    assert.ok(fired?.type === 'reminder.fired');
    assert.equal(fired.data.inApp, false);
    assert.equal(fired.data.muted, undefined);
    assert.equal(await fire(t), 'duplicate');
    assert.equal((await eventsOf(u, 'reminder.fired')).length, 1);
  });

  test('turned off between two attempts, the retry still finds the first one', async () => {
    const u = await user();
    const t = await taskAt(u, '2031-03-01T12:00:00.000Z');
    assert.equal(await fire(t), 'sent');
    await updateSettings(sql, u, { notificationPreferences: { inApp: false } });
    assert.equal(await fire(t), 'duplicate');
    assert.equal((await eventsOf(u, 'reminder.fired')).length, 1);
  });

  test('a quiet-hours digest makes no notification rows; its event says inApp: false', async () => {
    const u = await user({ inApp: false, quiet: true });
    const t = await taskAt(u, '2031-03-01T22:30:00.000Z');
    assert.equal(await fire(t), 'deferred');
    assert.equal(await stateOf(t.taskId), 'DEFERRED');
    now = new Date(Date.parse(WINDOW_END) + 50);
    const digestId = randomUUID();
    assert.deepEqual(await digests.deliverDigest({ userId: u, windowEnd: WINDOW_END, digestId }), {
      digestId,
      reminders: 1,
    });
    assert.equal(await notificationCount(u), 0);
    assert.equal(await stateOf(t.taskId), 'FIRED');
    const [digest] = await eventsOf(u, 'reminder.digest');
    assert.ok(digest?.type === 'reminder.digest');
    assert.equal(digest.data.inApp, false);
    assert.deepEqual(
      digest.data.reminders.map((r) => r.taskId),
      [t.taskId],
    );
    // The channels read the digest's reminders from the deferrals, not from notifications.
    const [row] = await sql<{ digestId: string }[]>`
      SELECT digest_id FROM silent_firings WHERE task_id = ${t.taskId}`;
    assert.equal(row!.digestId, digestId);
  });
});

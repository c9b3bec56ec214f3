import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createChannelActivities } from '../../activities/channels.js';
import { createDigestActivities } from '../../activities/digests.js';
import { createReminderActivities } from '../../activities/reminders.js';
import { updateSettings } from '../../api/settings/settings.js';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import { parseEvent } from '../../domain/events.js';
import type { UserId } from '../../domain/ids.js';
import { testEnv } from '../support/env.js';
import { testWebhooks, webhookReceiver } from '../support/webhook-receiver.js';

// Quiet hours: deliverReminder defers, deliverDigest delivers what was deferred as one, against
// the stack's database. Quiet hours 22:00–07:00 Europe/Berlin; 1 March 2031 is in winter time
// (UTC+1), so the window ends at 06:00Z on 2 March. Times are far ahead: the stack's own
// workflows for these tasks only sleep.

const run = Date.now().toString(36);
let n = 0;
const WINDOW_END = '2031-03-02T06:00:00.000Z';
let now = new Date();
const scheduled: [string, string][] = [];
const logLines: Record<string, unknown>[] = [];
const log = pino(
  { level: 'info' },
  { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
);

let sql: Sql;
let reminders: ReturnType<typeof createReminderActivities>;
let digests: ReturnType<typeof createDigestActivities>;
before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-digests', max: 4 });
  reminders = createReminderActivities({
    sql,
    now: () => now,
    scheduleDigest: async (userId, windowEnd) =>
      void scheduled.push([userId, windowEnd.toISOString()]),
  });
  digests = createDigestActivities({ sql, now: () => now });
});
after(() => sql.end({ timeout: 2 }));

async function quietUser(prefs: { webhookUrl?: string; email?: boolean } = {}): Promise<UserId> {
  const userId = `digest-${run}-${++n}` as UserId;
  await updateSettings(
    sql,
    userId,
    {
      timeZone: 'Europe/Berlin',
      quietHours: { startMinute: 22 * 60, endMinute: 7 * 60 },
      notificationPreferences: prefs,
    },
    testWebhooks,
  );
  return userId;
}

async function taskAt(userId: UserId, title: string, fireAt: string) {
  const task = await createTask(
    { sql, userId },
    { title, reminders: [{ offsetMs: null, at: new Date(fireAt) }] },
  );
  return { taskId: task.id, userId, reminderId: task.reminders[0]!.id, fireAt };
}

/** Fires a reminder at its own time, as the workflow's timer would. */
async function fire(input: Awaited<ReturnType<typeof taskAt>>) {
  now = new Date(Date.parse(input.fireAt) + 300);
  return reminders.deliverReminder(input);
}

const notificationsOf = (userId: string) =>
  sql<{ taskId: string; digestId: string | null }[]>`
    SELECT task_id, digest_id FROM notifications WHERE user_id = ${userId} ORDER BY fire_at`;
const eventsOf = (userId: string, type: string) =>
  sql<{ event: unknown; subject: string }[]>`
    SELECT event, subject FROM outbox WHERE event->>'userid' = ${userId} AND event->>'type' = ${type}`;

describe('quiet hours and digests', () => {
  test('a reminder due in quiet hours is deferred to their end: no notification, no event yet', async () => {
    const user = await quietUser();
    const t = await taskAt(user, 'Water the plants', '2031-03-01T21:30:00.000Z'); // 22:30 local
    scheduled.length = 0;
    assert.equal(await fire(t), 'deferred');
    assert.deepEqual(scheduled, [[user, WINDOW_END]]);
    assert.equal((await notificationsOf(user)).length, 0);
    assert.equal((await eventsOf(user, 'reminder.fired')).length, 0);
    // A retried attempt (the worker died before it reported) schedules the digest again.
    assert.equal(await fire(t), 'deferred');
    assert.deepEqual(scheduled, [
      [user, WINDOW_END],
      [user, WINDOW_END],
    ]);
    const [row] = await sql<{ count: string }[]>`
      SELECT count(*) FROM deferred_reminders WHERE user_id = ${user}`;
    assert.equal(Number(row!.count), 1);
  });

  test('just before and at the end of quiet hours: sent, not deferred', async () => {
    const user = await quietUser();
    assert.equal(await fire(await taskAt(user, 'Evening', '2031-03-01T20:59:00.000Z')), 'sent');
    assert.equal(await fire(await taskAt(user, 'Morning', WINDOW_END)), 'sent');
  });

  test('several deferred reminders arrive as one digest; a completed task is left out', async () => {
    const user = await quietUser();
    const late = await taskAt(user, 'Take out the bins', '2031-03-02T01:15:00.000Z');
    const early = await taskAt(user, 'Call mum', '2031-03-01T22:05:00.000Z');
    const done = await taskAt(user, 'Done already', '2031-03-01T23:00:00.000Z');
    for (const t of [early, done, late]) assert.equal(await fire(t), 'deferred');
    await sql`UPDATE tasks SET status = 'COMPLETED' WHERE id = ${done.taskId}`;

    now = new Date(Date.parse(WINDOW_END) + 50);
    const digestId = randomUUID();
    const input = { userId: user, windowEnd: WINDOW_END, digestId };
    assert.deepEqual(await digests.deliverDigest(input), { digestId, reminders: 2 });

    const notes = await notificationsOf(user);
    assert.deepEqual(
      notes.map((x) => [x.taskId, x.digestId]),
      [
        [early.taskId, digestId],
        [late.taskId, digestId],
      ],
    );
    const events = await eventsOf(user, 'reminder.digest');
    assert.equal(events.length, 1, 'one event, not one per reminder');
    assert.equal(events[0]!.subject, digestId);
    const parsed = parseEvent(events[0]!.event);
    assert.ok(parsed.ok && parsed.event.type === 'reminder.digest');
    assert.deepEqual(
      parsed.event.data.reminders.map((r) => [r.title, r.fireAt]),
      [
        ['Call mum', early.fireAt],
        ['Take out the bins', late.fireAt],
      ],
    );
    assert.equal(parsed.event.data.windowEnd, WINDOW_END);
    const [dropped] = await sql<{ droppedReason: string }[]>`
      SELECT dropped_reason FROM deferred_reminders WHERE task_id = ${done.taskId}`;
    assert.equal(dropped!.droppedReason, 'task no longer open');

    // The same attempt again (a retry): the same digest, nothing more recorded.
    assert.deepEqual(await digests.deliverDigest(input), { digestId, reminders: 2 });
    // Another pass of the loop: nothing left.
    assert.equal(await digests.deliverDigest({ ...input, digestId: randomUUID() }), null);
    assert.equal((await notificationsOf(user)).length, 2);
    assert.equal((await eventsOf(user, 'reminder.digest')).length, 1);
    // The reminder's own workflow, retried after all this, delivers nothing again.
    assert.equal(await fire(early), 'duplicate');
  });

  test("one user's digest holds none of another user's reminders", async () => {
    const [a, b] = [await quietUser(), await quietUser()];
    const ta = await taskAt(a, 'A', '2031-03-01T22:00:00.000Z');
    const tb = await taskAt(b, 'B', '2031-03-01T22:00:00.000Z');
    assert.equal(await fire(ta), 'deferred');
    assert.equal(await fire(tb), 'deferred');
    now = new Date(WINDOW_END);
    const digestId = randomUUID();
    assert.deepEqual(await digests.deliverDigest({ userId: a, windowEnd: WINDOW_END, digestId }), {
      digestId,
      reminders: 1,
    });
    assert.equal((await notificationsOf(b)).length, 0);
  });

  test('beyond the grace period it is recorded missed, quiet hours or not', async () => {
    const user = await quietUser();
    const t = await taskAt(user, 'Old', '2031-03-01T20:00:00.000Z');
    now = new Date('2031-03-01T23:00:00.000Z');
    assert.equal(await reminders.deliverReminder(t), 'missed');
  });

  test('the digest goes out as one webhook call and one e-mail', async () => {
    const hook = await webhookReceiver();
    try {
      const user = await quietUser({ webhookUrl: hook.url, email: true });
      const tasks = [
        await taskAt(user, 'One', '2031-03-01T22:10:00.000Z'),
        await taskAt(user, 'Two', '2031-03-01T22:20:00.000Z'),
      ];
      for (const t of tasks) assert.equal(await fire(t), 'deferred');
      now = new Date(WINDOW_END);
      const digestId = randomUUID();
      await digests.deliverDigest({ userId: user, windowEnd: WINDOW_END, digestId });
      const { deliverDigestToChannels } = createChannelActivities({
        sql,
        log,
        webhooks: testWebhooks,
      });
      assert.deepEqual(await deliverDigestToChannels({ userId: user, digestId }), {
        email: 'sent',
        webhook: 'sent',
      });
      assert.deepEqual(await deliverDigestToChannels({ userId: user, digestId }), {
        email: 'already-sent',
        webhook: 'already-sent',
      });
      assert.equal(hook.received.length, 1);
      const body = JSON.parse(hook.received[0]!.body) as {
        type: string;
        reminders: { title: string }[];
      };
      assert.equal(body.type, 'reminder.digest');
      assert.deepEqual(
        body.reminders.map((r) => r.title),
        ['One', 'Two'],
      );
      const emails = logLines.filter((l) => l.digestId === digestId);
      assert.equal(emails.length, 1);
      assert.equal(emails[0]!.subject, '2 reminders from your quiet hours');
    } finally {
      await hook.close();
    }
  });
});

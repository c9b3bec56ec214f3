import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFireActivities } from '../../activities/fire-reminder.js';
import type { DeliveryOutcome } from '../../activities/reminders.js';
import { NotificationPreferences } from '../../domain/user.js';

// fireReminder: the reminder workflow's one step per fire says whether e-mail/webhook follows.

const input = { taskId: 't', userId: 'u', reminderId: 'r', fireAt: '2031-03-01T08:00:00.000Z' };

function fire(outcome: DeliveryOutcome, prefs: object) {
  const read: string[] = [];
  const { fireReminder } = createFireActivities({
    deliverReminder: async () => outcome,
    preferences: async (userId) => {
      read.push(userId);
      return NotificationPreferences.parse(prefs);
    },
  });
  return { result: fireReminder(input), read };
}

test('sent or late with e-mail or a webhook on: channels follow', async () => {
  assert.deepEqual(await fire('sent', { email: true }).result, { outcome: 'sent', channels: true });
  assert.deepEqual(await fire('late', { webhookUrl: 'https://example.com/h' }).result, {
    outcome: 'late',
    channels: true,
  });
});

test('sent with neither (the default): no channel step', async () => {
  assert.deepEqual(await fire('sent', {}).result, { outcome: 'sent', channels: false });
});

test('any other outcome: no channel step, and the preferences are not read', async () => {
  for (const outcome of ['missed', 'deferred', 'duplicate', 'skipped', 'muted'] as const) {
    const { result, read } = fire(outcome, { email: true });
    assert.deepEqual(await result, { outcome, channels: false });
    assert.deepEqual(read, []);
  }
});

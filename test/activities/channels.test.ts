import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createChannelActivities } from '../../activities/channels.js';
import { updateSettings } from '../../api/settings.js';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import type { UserId } from '../../domain/ids.js';
import { testEnv } from '../support/env.js';
import { webhookReceiver } from '../support/webhook-receiver.js';

// deliverToChannels against the stack's database and a loopback webhook receiver.

const run = Date.now().toString(36);
let n = 0;
let sql: Sql;
const logLines: Record<string, unknown>[] = [];
const log = pino(
  { level: 'info' },
  { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
);

before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-channels', max: 4 });
});
after(() => sql.end({ timeout: 2 }));

async function reminderFor(prefs: { email?: boolean; webhookUrl?: string | null }) {
  const userId = `channels-${run}-${++n}` as UserId;
  const settings = await updateSettings(sql, userId, { notificationPreferences: prefs });
  const task = await createTask(
    { sql, userId },
    { title: 'Pay rent', reminders: [{ offsetMs: null, at: new Date('2031-01-01T09:00:00Z') }] },
  );
  const input = {
    taskId: task.id,
    userId,
    reminderId: task.reminders[0]!.id,
    fireAt: '2031-01-01T09:00:00.000Z',
  };
  return { userId, input, secret: settings.webhookSecret };
}

describe('deliverToChannels', () => {
  test('webhook: one signed POST; a retry sends nothing more', async () => {
    const hook = await webhookReceiver();
    try {
      const { input, secret } = await reminderFor({ webhookUrl: hook.url });
      assert.ok(secret, 'setting a webhook URL creates the signing secret');
      const { deliverToChannels } = createChannelActivities({ sql, log });
      assert.deepEqual(await deliverToChannels(input), { email: 'off', webhook: 'sent' });
      assert.deepEqual(await deliverToChannels(input), { email: 'off', webhook: 'already-sent' });
      assert.equal(hook.received.length, 1);
      const [req] = hook.received;
      const body = JSON.parse(req!.body) as Record<string, unknown>;
      assert.equal(body.taskId, input.taskId);
      assert.equal(body.title, 'Pay rent');
      assert.equal(
        req!.headers['idempotency-key'],
        `${input.taskId}:${input.reminderId}:${input.fireAt}`,
      );
      const sig = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req!.headers['tickler-signature']));
      assert.ok(sig, 'signature header present');
      const expected = createHmac('sha256', secret!).update(`${sig[1]}.${req!.body}`).digest('hex');
      assert.equal(sig[2], expected, 'HMAC over "<t>.<body>" with the user\'s secret');
    } finally {
      await hook.close();
    }
  });

  test('webhook answering 503 is retried (the activity throws), then delivered once', async () => {
    const hook = await webhookReceiver([503]);
    try {
      const { input } = await reminderFor({ webhookUrl: hook.url });
      const { deliverToChannels } = createChannelActivities({ sql, log });
      await assert.rejects(deliverToChannels(input), /answered 503/);
      assert.deepEqual(await deliverToChannels(input), { email: 'off', webhook: 'sent' });
      assert.equal(hook.received.length, 2);
    } finally {
      await hook.close();
    }
  });

  test('webhook answering 410 fails for good (not retryable)', async () => {
    const hook = await webhookReceiver([410]);
    try {
      const { input } = await reminderFor({ webhookUrl: hook.url });
      const { deliverToChannels } = createChannelActivities({ sql, log });
      await assert.rejects(deliverToChannels(input), (err: Error & { nonRetryable?: boolean }) => {
        assert.match(err.message, /answered 410/);
        assert.equal(err.nonRetryable, true);
        return true;
      });
    } finally {
      await hook.close();
    }
  });

  test('e-mail: one structured log line per reminder fire, however often retried', async () => {
    const { input, userId } = await reminderFor({ email: true });
    const { deliverToChannels } = createChannelActivities({ sql, log });
    assert.deepEqual(await deliverToChannels(input), { email: 'sent', webhook: 'off' });
    assert.deepEqual(await deliverToChannels(input), { email: 'already-sent', webhook: 'off' });
    const lines = logLines.filter((l) => l.channel === 'email' && l.to === userId);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.subject, 'Reminder: Pay rent');
  });

  test('nothing is sent when both channels are off', async () => {
    const { input } = await reminderFor({ email: false });
    const { deliverToChannels } = createChannelActivities({ sql, log });
    assert.deepEqual(await deliverToChannels(input), { email: 'off', webhook: 'off' });
  });
});

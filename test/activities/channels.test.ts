import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createChannelActivities } from '../../activities/channels.js';
import { readSettings, rotateWebhookSecret, updateSettings } from '../../api/settings/settings.js';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import { updateSettings as updateSettingsRow } from '../../db/users.js';
import { AppError } from '../../domain/errors.js';
import type { UserId } from '../../domain/ids.js';
import { testEnv } from '../support/env.js';
import { testWebhooks, webhookReceiver } from '../support/webhook-receiver.js';

// deliverToChannels and the webhook settings against the stack's database and a loopback
// webhook receiver. The receiver is reachable only through the test switch (testWebhooks);
// without it (the production default) the same calls are refused.

const run = Date.now().toString(36);
let n = 0;
let sql: Sql;
const logLines: string[] = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
/** Every secret the tests saw and every error message they got: no secret may be in them. */
const secretsSeen: string[] = [];
const errorMessages: string[] = [];

before(() => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-channels', max: 4 });
});
after(() => sql.end({ timeout: 2 }));

const newUser = () => `channels-${run}-${++n}` as UserId;

async function reminderOf(userId: UserId, title = 'Pay rent') {
  const task = await createTask(
    { sql, userId },
    { title, reminders: [{ offsetMs: null, at: new Date('2031-01-01T09:00:00Z') }] },
  );
  return {
    taskId: task.id,
    userId,
    reminderId: task.reminders[0]!.id,
    fireAt: '2031-01-01T09:00:00.000Z',
  };
}

async function reminderFor(prefs: { email?: boolean; webhookUrl?: string | null }) {
  const userId = newUser();
  const settings = await updateSettings(
    sql,
    userId,
    { notificationPreferences: prefs },
    testWebhooks,
  );
  if (settings.webhookSecret) secretsSeen.push(settings.webhookSecret);
  return { userId, input: await reminderOf(userId), secret: settings.webhookSecret };
}

const activities = () => createChannelActivities({ sql, log, webhooks: testWebhooks });

/** The `v1=` signatures of a delivery, after checking the header's shape. */
function signatures(req: { headers: Record<string, unknown>; body: string }) {
  const header = String(req.headers['tickler-signature']);
  assert.match(header, /^t=\d+(,v1=[0-9a-f]{64})+$/);
  const t = /^t=(\d+)/.exec(header)![1]!;
  const v1 = [...header.matchAll(/v1=([0-9a-f]{64})/g)].map((m) => m[1]);
  const hmac = (secret: string) =>
    createHmac('sha256', secret).update(`${t}.${req.body}`).digest('hex');
  return { v1, hmac };
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    errorMessages.push((err as Error).message);
    return err as Error & { nonRetryable?: boolean; type?: string };
  }
  assert.fail('expected a rejection');
}

describe('deliverToChannels', () => {
  test('webhook: one signed POST; a retry sends nothing more', async () => {
    const hook = await webhookReceiver();
    try {
      const { input, secret } = await reminderFor({ webhookUrl: hook.url });
      assert.ok(secret, 'setting a webhook URL creates the signing secret');
      const { deliverToChannels } = activities();
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
      const { v1, hmac } = signatures(req!);
      assert.deepEqual(v1, [hmac(secret)], 'HMAC over "<t>.<body>" with the user\'s secret');
    } finally {
      await hook.close();
    }
  });

  test('webhook answering 503 is retried (the activity throws), then delivered once', async () => {
    const hook = await webhookReceiver([503]);
    try {
      const { input } = await reminderFor({ webhookUrl: hook.url });
      const { deliverToChannels } = activities();
      assert.match((await rejection(deliverToChannels(input))).message, /answered 503/);
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
      const err = await rejection(activities().deliverToChannels(input));
      assert.match(err.message, /answered 410/);
      assert.equal(err.nonRetryable, true);
    } finally {
      await hook.close();
    }
  });

  test('a 302 to a loopback URL is a failed delivery: the redirect is not followed', async () => {
    const target = await webhookReceiver();
    const hook = await webhookReceiver([
      { status: 302, headers: { location: `${target.url}?stolen=1` } },
    ]);
    try {
      const { input } = await reminderFor({ webhookUrl: `${hook.url}?token=abc` });
      const err = await rejection(activities().deliverToChannels(input));
      assert.match(err.message, /answered 302: redirects are not followed/);
      assert.equal(err.nonRetryable, true);
      assert.doesNotMatch(err.message, /token=abc|\/hook/, 'the message names the origin only');
      assert.equal(hook.received.length, 1);
      assert.equal(target.received.length, 0, 'the redirect target was never requested');
    } finally {
      await Promise.all([hook.close(), target.close()]);
    }
  });

  test('checked again at send time: a stored URL to a refused address is not called', async () => {
    const hook = await webhookReceiver();
    try {
      // Stored without the check (as before it existed): loopback, and cloud metadata.
      const userId = newUser();
      await updateSettingsRow(sql, userId, { notificationPreferences: { webhookUrl: hook.url } });
      const strictWorker = createChannelActivities({ sql, log });
      const err = await rejection(strictWorker.deliverToChannels(await reminderOf(userId)));
      assert.equal(err.nonRetryable, true);
      assert.equal(err.type, 'WebhookDestinationRefused');
      assert.match(err.message, /refused: it must be https/);
      assert.equal(hook.received.length, 0);

      const other = newUser();
      await updateSettingsRow(sql, other, {
        notificationPreferences: { webhookUrl: 'http://169.254.169.254/latest/meta-data/' },
      });
      const meta = await rejection(activities().deliverToChannels(await reminderOf(other)));
      assert.equal(meta.type, 'WebhookDestinationRefused');
      assert.match(meta.message, /link-local/);
    } finally {
      await hook.close();
    }
  });

  test('e-mail: one structured log line per reminder fire, however often retried', async () => {
    const { input, userId } = await reminderFor({ email: true });
    const { deliverToChannels } = activities();
    assert.deepEqual(await deliverToChannels(input), { email: 'sent', webhook: 'off' });
    assert.deepEqual(await deliverToChannels(input), { email: 'already-sent', webhook: 'off' });
    const lines = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.channel === 'email' && l.to === userId);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.subject, 'Reminder: Pay rent');
  });

  test('nothing is sent when both channels are off', async () => {
    const { input } = await reminderFor({ email: false });
    assert.deepEqual(await activities().deliverToChannels(input), { email: 'off', webhook: 'off' });
  });
});

describe('webhook settings', () => {
  const FIELD = 'input.notificationPreferences.webhookUrl';

  async function refusedAtSave(webhookUrl: string, webhooks = testWebhooks) {
    const userId = newUser();
    const err = await rejection(
      updateSettings(sql, userId, { notificationPreferences: { webhookUrl } }, webhooks),
    );
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'BAD_USER_INPUT', webhookUrl);
    assert.equal(err.problems[0]?.path, FIELD);
    const settings = await readSettings(sql, userId);
    assert.equal(settings.notificationPreferences.webhookUrl, null, 'nothing saved');
    return err;
  }

  test('the production check (the default) refuses loopback in any spelling, and http', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://localhost/hook',
      'https://2130706433/hook',
      'https://0x7f.1/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'http://8.8.8.8/hook',
    ]) {
      const userId = newUser();
      const err = await rejection(
        updateSettings(sql, userId, { notificationPreferences: { webhookUrl: url } }),
      );
      assert.ok(err instanceof AppError && err.code === 'BAD_USER_INPUT', url);
      assert.equal(err.problems[0]?.path, FIELD, url);
    }
  });

  test('with the test switch, every other class is still refused', async () => {
    for (const url of [
      'http://10.0.0.1/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://100.64.0.1/',
      'http://[fc00::1]/',
      'http://224.0.0.1/',
      'http://[ff02::1]/',
      'http://0.0.0.0/',
      'http://255.255.255.255/',
      'http://192.0.2.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[64:ff9b::a9fe:a9fe]/',
    ])
      await refusedAtSave(url);
  });

  test('the error quotes a short prefix of the URL, not the URL', async () => {
    const long = `http://10.0.0.1/${'a'.repeat(1900)}`;
    const err = await refusedAtSave(long);
    assert.ok(err.message.length < 300, `message of ${err.message.length} characters`);
    assert.ok(!err.message.includes('a'.repeat(50)));
  });

  test('the secret is shown once: in the update that created it, never in a query', async () => {
    const userId = newUser();
    const url = 'http://127.0.0.1:9/hook';
    const first = await updateSettings(
      sql,
      userId,
      { notificationPreferences: { webhookUrl: url } },
      testWebhooks,
    );
    assert.ok(first.webhookSecret);
    secretsSeen.push(first.webhookSecret);
    assert.equal((await readSettings(sql, userId)).webhookSecret, null);
    const again = await updateSettings(
      sql,
      userId,
      { notificationPreferences: { webhookUrl: `${url}2` } },
      testWebhooks,
    );
    assert.equal(again.webhookSecret, null);
    assert.equal(again.notificationPreferences.webhookUrl, `${url}2`);
  });

  test('rotation: both secrets sign during the overlap, the new one alone after', async () => {
    const hook = await webhookReceiver();
    try {
      const { userId, input, secret: s1 } = await reminderFor({ webhookUrl: hook.url });
      assert.ok(s1);
      const before = Date.now();
      const r2 = await rotateWebhookSecret(sql, userId, { overlap: 3_600_000 });
      secretsSeen.push(r2.secret);
      assert.notEqual(r2.secret, s1);
      const until = Date.parse(r2.previousSecretValidUntil!);
      assert.ok(until >= before + 3_600_000 - 5_000 && until <= Date.now() + 3_600_000 + 5_000);

      const { deliverToChannels } = activities();
      await deliverToChannels(input);
      const during = signatures(hook.received[0]!);
      assert.deepEqual(during.v1, [during.hmac(r2.secret), during.hmac(s1)]);

      const r3 = await rotateWebhookSecret(sql, userId, { overlap: 0 });
      secretsSeen.push(r3.secret);
      await deliverToChannels(await reminderOf(userId, 'Water plants'));
      const afterwards = signatures(hook.received[1]!);
      assert.deepEqual(afterwards.v1, [afterwards.hmac(r3.secret)]);
      assert.equal((await readSettings(sql, userId)).webhookSecret, null);
    } finally {
      await hook.close();
    }
  });

  test('no secret appears in a log line or an error message', () => {
    assert.ok(secretsSeen.length >= 5 && logLines.length > 0 && errorMessages.length >= 5);
    for (const secret of secretsSeen) {
      for (const line of logLines) assert.ok(!line.includes(secret), `log line: ${line}`);
      for (const message of errorMessages) assert.ok(!message.includes(secret), message);
    }
  });
});

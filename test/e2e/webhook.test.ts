import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, gql, tokenFor } from '../support/graphql.js';
import { webhookReceiver } from '../support/webhook-receiver.js';

// Through the real stack: a user with a webhook gets exactly one signed POST when a reminder
// fires (worker → deliverToChannels after the in-app notification).

test('a fired reminder is POSTed to the user’s webhook, once', async () => {
  const hook = await webhookReceiver();
  try {
    const token = await tokenFor(`e2e-webhook-${Date.now().toString(36)}`);
    const settings = await gql<{ updateSettings: { webhookSecret: string | null } }>(
      `mutation($i: UpdateSettingsInput!) { updateSettings(input: $i) { webhookSecret } }`,
      { i: { notificationPreferences: { webhookUrl: hook.url } } },
      { token },
    );
    assert.equal(settings.body.errors, undefined, JSON.stringify(settings.body.errors));
    assert.ok(settings.body.data!.updateSettings.webhookSecret);
    const at = new Date(Date.now() + 3_000).toISOString();
    const created = await gql<{ createTask: { id: string } }>(
      `mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }`,
      { i: { title: 'Feed the cat', reminders: [{ at }] } },
      { token },
    );
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    await eventually(
      'the webhook call',
      () => (hook.received.length > 0 ? true : undefined),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(hook.received.length, 1);
    const body = JSON.parse(hook.received[0]!.body) as { taskId: string; title: string };
    assert.deepEqual([body.taskId, body.title], [created.body.data!.createTask.id, 'Feed the cat']);
  } finally {
    await hook.close();
  }
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { testEnv } from '../support/env.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';
import { HEALTHZ_BUDGET_MS, underProbeWithinBudget } from '../support/healthz-probe.js';
import { webhookReceiver } from '../support/webhook-receiver.js';

// Through the real stack: a user with a webhook gets exactly one signed POST when a reminder
// fires (worker → deliverToChannels after the in-app notification). The stack's api and worker
// run with the test switch on (http and loopback allowed, for this receiver); every other
// refused class is refused as in production.

const SET_HOOK = /* GraphQL */ `
  mutation ($i: UpdateSettingsInput!) {
    updateSettings(input: $i) {
      webhookSecret
      notificationPreferences {
        webhookUrl
      }
    }
  }
`;
const CREATE = /* GraphQL */ `
  mutation ($i: CreateTaskInput!) {
    createTask(input: $i) {
      id
    }
  }
`;

async function reminderIn(token: string, title: string, ms: number): Promise<string> {
  const at = new Date(Date.now() + ms).toISOString();
  const created = await gql<{ createTask: { id: string } }>(
    CREATE,
    { i: { title, reminders: [{ at }] } },
    { token },
  );
  assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
  return created.body.data!.createTask.id;
}

test('a fired reminder is POSTed to the user’s webhook once, signed by both secrets during a rotation', async () => {
  const hook = await webhookReceiver();
  try {
    const token = await tokenFor(`e2e-webhook-${Date.now().toString(36)}`);
    const settings = await gql<{ updateSettings: { webhookSecret: string | null } }>(
      SET_HOOK,
      { i: { notificationPreferences: { webhookUrl: hook.url } } },
      { token },
    );
    assert.equal(settings.body.errors, undefined, JSON.stringify(settings.body.errors));
    const first = settings.body.data!.updateSettings.webhookSecret;
    assert.ok(first, 'shown in the answer that created it');

    const read = await gql<{ me: { settings: { webhookSecret: string | null } } }>(
      `{ me { settings { webhookSecret } } }`,
      {},
      { token },
    );
    assert.equal(read.body.data!.me.settings.webhookSecret, null, 'and never again');

    const rotated = await gql<{
      rotateWebhookSecret: { secret: string; previousSecretValidUntil: string | null };
    }>(
      `mutation { rotateWebhookSecret(overlap: "PT1H") { secret previousSecretValidUntil } }`,
      {},
      { token },
    );
    assert.equal(rotated.body.errors, undefined, JSON.stringify(rotated.body.errors));
    const { secret, previousSecretValidUntil } = rotated.body.data!.rotateWebhookSecret;
    assert.notEqual(secret, first);
    assert.ok(Date.parse(previousSecretValidUntil!) > Date.now() + 3_000_000);

    const taskId = await reminderIn(token, 'Feed the cat', 3_000);
    await eventually(
      'the webhook call',
      () => (hook.received.length > 0 ? true : undefined),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(hook.received.length, 1);
    const req = hook.received[0]!;
    const body = JSON.parse(req.body) as { taskId: string; title: string };
    assert.deepEqual([body.taskId, body.title], [taskId, 'Feed the cat']);
    const sig = /^t=(\d+),v1=([0-9a-f]{64}),v1=([0-9a-f]{64})$/.exec(
      String(req.headers['tickler-signature']),
    );
    assert.ok(sig, `two signatures: ${String(req.headers['tickler-signature'])}`);
    const hmac = (key: string) =>
      createHmac('sha256', key).update(`${sig[1]}.${req.body}`).digest('hex');
    assert.deepEqual([sig[2], sig[3]], [hmac(secret), hmac(first)]);
  } finally {
    await hook.close();
  }
});

test('a webhook to each refused address class is BAD_USER_INPUT naming the field, promptly', async (t) => {
  const token = await tokenFor(`e2e-webhook-refused-${Date.now().toString(36)}`);
  const urls = [
    'http://10.0.0.1/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/latest/meta-data/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://[fe80::1]/',
    'http://100.64.0.1/',
    'http://[fc00::1]/',
    'http://[fd00:ec2::254]/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    'http://0.0.0.0/',
    'http://0/',
    'http://[::]/',
    'http://255.255.255.255/',
    'http://192.0.2.1/',
    'http://[2001:db8::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'ftp://8.8.8.8/',
  ];
  const { result, healthz } = await underProbeWithinBudget(testEnv.apiUrl, async () => {
    const answers: { url: string; ms: number; code?: string; path?: string }[] = [];
    for (const url of urls) {
      const t0 = performance.now();
      const res = await gql(
        SET_HOOK,
        { i: { notificationPreferences: { webhookUrl: url } } },
        {
          token,
        },
      );
      const error = res.body.errors?.[0];
      answers.push({
        url,
        ms: Math.round(performance.now() - t0),
        code: error?.extensions?.code,
        path: error?.extensions?.problems?.[0]?.path,
      });
    }
    return answers;
  });
  for (const a of result) {
    t.diagnostic(`${a.url} → ${a.code} in ${a.ms} ms`);
    assert.equal(a.code, 'BAD_USER_INPUT', a.url);
    assert.equal(a.path, 'input.notificationPreferences.webhookUrl', a.url);
    assert.ok(a.ms < 1_000, `${a.url} answered in ${a.ms} ms`);
  }
  t.diagnostic(`healthz during the attack: max ${healthz.maxMs} ms over ${healthz.probes} probes`);
  assert.equal(healthz.failures, 0);
  assert.ok(healthz.maxMs < HEALTHZ_BUDGET_MS, `healthz took ${healthz.maxMs} ms`);
  const read = await gql<{ me: { settings: { notificationPreferences: { webhookUrl: null } } } }>(
    `{ me { settings { notificationPreferences { webhookUrl } } } }`,
    {},
    { token },
  );
  assert.equal(read.body.data!.me.settings.notificationPreferences.webhookUrl, null);
});

test('the worker does not follow a redirect to loopback', async () => {
  const target = await webhookReceiver();
  const hook = await webhookReceiver([{ status: 302, headers: { location: target.url } }]);
  try {
    const token = await tokenFor(`e2e-webhook-302-${Date.now().toString(36)}`);
    const set = await gql(
      SET_HOOK,
      { i: { notificationPreferences: { webhookUrl: hook.url } } },
      { token },
    );
    assert.equal(set.body.errors, undefined, JSON.stringify(set.body.errors));
    await reminderIn(token, 'Call the bank', 3_000);
    await eventually(
      'the webhook call',
      () => (hook.received.length > 0 ? true : undefined),
      20_000,
    );
    // A follow (or a retry) would come right after the first answer.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(target.received.length, 0, 'the redirect target was never requested');
    assert.equal(hook.received.length, 1, 'a 3xx is final: not retried');
  } finally {
    await Promise.all([hook.close(), target.close()]);
  }
});

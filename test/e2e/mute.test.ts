import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import postgres from 'postgres';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';
import { connect, Transcript } from '../support/mcp-client.js';
import { webhookReceiver } from '../support/webhook-receiver.js';

// Through the real stack (api → relay → reminder workflow → delivery activities → webhook):
// the inApp preference and the per-task mute, as a user and a chat would use them.

const TASK = /* GraphQL */ `
  query ($id: ID!) {
    task(id: $id) {
      id
      muted
      version
      reminders {
        id
        state
        deliveredAt
      }
    }
  }
`;
const HISTORY = /* GraphQL */ `
  query ($id: ID!) {
    task(id: $id) {
      history(first: 50) {
        edges {
          node {
            action
            changes {
              field
              before
              after
            }
          }
        }
      }
    }
  }
`;
interface TaskView {
  id: string;
  muted: boolean;
  version: number;
  reminders: { id: string; state: string; deliveredAt: string | null }[];
}
interface HistoryNode {
  action: string;
  changes: { field: string; before: unknown; after: unknown }[];
}
const NOTIFICATIONS = /* GraphQL */ `
  {
    notifications {
      edges {
        node {
          taskId
          reminderId
        }
      }
    }
  }
`;

let sql: postgres.Sql;
const transcript = new Transcript('MCP transcript (mute)');
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(async () => {
  transcript.print();
  await sql.end({ timeout: 2 });
});

async function ok<T>(query: string, variables: Record<string, unknown>, token: string) {
  const res = await gql<T>(query, variables, { token });
  assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
  return res.body.data!;
}

async function withWebhook(token: string, url: string, inApp: boolean) {
  await ok(
    /* GraphQL */ `
      mutation ($i: UpdateSettingsInput!) {
        updateSettings(input: $i) {
          notificationPreferences {
            inApp
          }
        }
      }
    `,
    { i: { notificationPreferences: { inApp, webhookUrl: url } } },
    token,
  );
}

const readTask = async (token: string, id: string) =>
  (await ok<{ task: TaskView }>(TASK, { id }, token)).task;

/** The task's history, oldest first (the audit log is read through Dapr, a little behind). */
const historyOf = async (token: string, id: string): Promise<HistoryNode[]> =>
  (
    await ok<{ task: { history: { edges: { node: HistoryNode }[] } } }>(HISTORY, { id }, token)
  ).task.history.edges
    .map((e) => e.node)
    .reverse();

const notifications = async (token: string) =>
  (
    await ok<{ notifications: { edges: { node: { taskId: string; reminderId: string } }[] } }>(
      NOTIFICATIONS,
      {},
      token,
    )
  ).notifications.edges.map((e) => e.node);

/** Waits until reminder `i` of the task is in one of `states`. */
const reminderReaches = (token: string, id: string, i: number, states: string[]) =>
  eventually(
    `reminder ${i} ${states.join('/')}`,
    async () => {
      const task = await readTask(token, id);
      return states.includes(task.reminders[i]!.state) ? task : undefined;
    },
    25_000,
  );

const at = (ms: number) => new Date(Date.now() + ms).toISOString();

test('inApp off: the reminder fires (FIRED, in history) and reaches the webhook, with no notification', async () => {
  const hook = await webhookReceiver();
  try {
    const token = await tokenFor(uniqueUser('e2e-inapp-off'));
    await withWebhook(token, hook.url, false);
    const { createTask } = await ok<{ createTask: { id: string; muted: boolean } }>(
      `mutation($i: CreateTaskInput!) { createTask(input: $i) { id muted } }`,
      { i: { title: 'Feed the cat', reminders: [{ at: at(3_000) }] } },
      token,
    );
    assert.equal(createTask.muted, false, 'not muted unless asked');
    await eventually('the webhook call', () => (hook.received.length > 0 ? true : undefined));
    const task = await reminderReaches(token, createTask.id, 0, ['FIRED']);
    assert.ok(task.reminders[0]!.deliveredAt);
    const body = JSON.parse(hook.received[0]!.body) as { type: string; taskId: string };
    assert.deepEqual([body.type, body.taskId], ['reminder.fired', createTask.id]);
    assert.deepEqual(await notifications(token), [], 'nothing listed, nothing to badge');
    const [{ count }] = await sql<[{ count: string }]>`
      SELECT count(*) FROM notifications WHERE task_id = ${createTask.id}`;
    assert.equal(Number(count), 0);
    const fired = await eventually('reminder.fired in history', async () =>
      (await historyOf(token, createTask.id)).find((n) => n.action === 'reminder.fired'),
    );
    assert.deepEqual(
      fired.changes.find((c) => c.field === 'inApp'),
      { field: 'inApp', before: null, after: false },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(hook.received.length, 1, 'once');
  } finally {
    await hook.close();
  }
});

test('muted through MCP: a reminder coming due goes nowhere (MUTED, in history); unmuted, the next one notifies', async () => {
  const hook = await webhookReceiver();
  let chat: Client | undefined;
  try {
    const userId = uniqueUser('e2e-mute');
    const token = await tokenFor(userId);
    await withWebhook(token, hook.url, true);
    // Two reminders: the first comes due while muted, the second after unmuting.
    const { createTask } = await ok<{ createTask: { id: string; version: number } }>(
      `mutation($i: CreateTaskInput!) { createTask(input: $i) { id version } }`,
      { i: { title: 'Exercise', reminders: [{ at: at(5_000) }, { at: at(14_000) }] } },
      token,
    );

    chat = await connect(userId);
    transcript.say('stop reminding me about exercise for now');
    const muted = await transcript.call<{
      results: { status: string; task?: { muted?: boolean; version: number } }[];
    }>(chat, 'update_tasks', { tasks: [{ id: createTask.id, muted: true }] });
    assert.equal(muted.results[0]!.status, 'succeeded');
    assert.equal(muted.results[0]!.task!.muted, true);
    assert.equal((await readTask(token, createTask.id)).muted, true);

    const whileMuted = await reminderReaches(token, createTask.id, 0, ['MUTED', 'FIRED']);
    assert.equal(whileMuted.reminders[0]!.state, 'MUTED');
    assert.ok(whileMuted.reminders[0]!.deliveredAt, 'recorded when it came due');
    assert.equal(whileMuted.reminders[1]!.state, 'PENDING', 'the schedule is kept');
    assert.deepEqual(await notifications(token), []);
    assert.equal(hook.received.length, 0, 'no webhook');

    transcript.say('you can remind me about exercise again');
    const unmuted = await transcript.call<{
      results: { status: string; task?: Record<string, unknown> }[];
    }>(chat, 'update_tasks', { tasks: [{ id: createTask.id, muted: false }] });
    assert.equal(unmuted.results[0]!.status, 'succeeded');
    assert.equal('muted' in unmuted.results[0]!.task!, false, 'rows show muted only when true');

    const afterUnmute = await reminderReaches(token, createTask.id, 1, ['FIRED', 'MUTED']);
    assert.equal(afterUnmute.muted, false);
    assert.equal(afterUnmute.reminders[1]!.state, 'FIRED');
    assert.deepEqual(await notifications(token), [
      { taskId: createTask.id, reminderId: afterUnmute.reminders[1]!.id },
    ]);
    await eventually('the webhook call', () => (hook.received.length > 0 ? true : undefined));
    const body = JSON.parse(hook.received[0]!.body) as { reminderId: string };
    assert.equal(body.reminderId, afterUnmute.reminders[1]!.id);

    // History: muted, the muted firing, unmuted, the firing.
    const story = await eventually('the whole story in history', async () => {
      const nodes = await historyOf(token, createTask.id);
      return nodes.filter((n) => n.action === 'reminder.fired').length === 2 ? nodes : undefined;
    });
    const told = story
      .filter((n) => n.action !== 'task.created')
      .map((n) => {
        const mark = n.changes.find((c) => c.field === 'muted');
        return `${n.action}${mark ? ` muted:${String(mark.before)}→${String(mark.after)}` : ''}`;
      });
    assert.deepEqual(told, [
      'task.updated muted:false→true',
      'reminder.fired muted:null→true',
      'task.updated muted:true→false',
      'reminder.fired',
    ]);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(hook.received.length, 1, 'only the reminder after unmuting');
  } finally {
    await chat?.close();
    await hook.close();
  }
});

test('GraphQL: createTask and updateTask take muted; an update without it leaves it', async () => {
  const token = await tokenFor(uniqueUser('e2e-mute-gql'));
  const UPDATE = `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { muted version } }`;
  const { createTask } = await ok<{ createTask: { id: string; muted: boolean; version: number } }>(
    `mutation($i: CreateTaskInput!) { createTask(input: $i) { id muted version } }`,
    { i: { title: 'Quiet one', muted: true } },
    token,
  );
  assert.equal(createTask.muted, true);
  const renamed = await ok<{ updateTask: { muted: boolean; version: number } }>(
    UPDATE,
    { i: { id: createTask.id, title: 'Still quiet' } },
    token,
  );
  assert.deepEqual(renamed.updateTask, { muted: true, version: createTask.version + 1 });
  const unmuted = await ok<{ updateTask: { muted: boolean; version: number } }>(
    UPDATE,
    { i: { id: createTask.id, muted: false } },
    token,
  );
  assert.deepEqual(unmuted.updateTask, { muted: false, version: createTask.version + 2 });
});

test('MCP add_tasks takes muted; the row shows it, GraphQL agrees', async () => {
  const userId = uniqueUser('e2e-mute-add');
  const chat = await connect(userId);
  try {
    transcript.say('add "water the plants", but don\'t remind me for now');
    const added = await transcript.call<{
      results: { status: string; id: string; task?: { muted?: boolean } }[];
    }>(chat, 'add_tasks', {
      tasks: [{ title: 'Water the plants', muted: true }, { title: 'Call mum' }],
    });
    assert.deepEqual(
      added.results.map((r) => [r.status, r.task?.muted]),
      [
        ['succeeded', true],
        ['succeeded', undefined],
      ],
    );
    const token = await tokenFor(userId);
    const [first, second] = added.results.map((r) => r.id);
    assert.equal((await readTask(token, first!)).muted, true);
    assert.equal((await readTask(token, second!)).muted, false);
  } finally {
    await chat.close();
  }
});

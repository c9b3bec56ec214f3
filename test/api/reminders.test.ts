import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { testEnv } from '../support/env.js';
import { gql, tokenFor } from '../support/graphql.js';

// Reminder management through the running api. Times are far ahead (2031) so that the stack's
// workflows only sleep; firing is covered by the e2e and workflow tests.

const REMINDER = 'id before after at fireAt state snoozedUntil late';
const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id dueAt nextReminderAt reminders { ${REMINDER} } } }`;
const ADD = `mutation($taskId: ID!, $input: ReminderInput!) {
  addReminder(taskId: $taskId, input: $input) { armed message reminder { ${REMINDER} } task { version reminders { id } } } }`;
const REMOVE = `mutation($taskId: ID!, $reminderId: ID!) { removeReminder(taskId: $taskId, reminderId: $reminderId) { reminders { id } } }`;
const SNOOZE = `mutation($taskId: ID!, $reminderId: ID!, $until: DateTime, $for: Duration) {
  snoozeReminder(taskId: $taskId, reminderId: $reminderId, until: $until, for: $for) { nextReminderAt reminders { ${REMINDER} } } }`;
const DISMISS = `mutation($taskId: ID!, $reminderId: ID!) { dismissReminder(taskId: $taskId, reminderId: $reminderId) { nextReminderAt reminders { ${REMINDER} } } }`;
const UPDATE = `mutation($input: UpdateTaskInput!) { updateTask(input: $input) { dueAt reminders { ${REMINDER} } } }`;
const SETTINGS = `mutation($input: UpdateSettingsInput!) { updateSettings(input: $input) { defaultReminderOffset } }`;

interface R {
  id: string;
  before: string | null;
  after: string | null;
  at: string | null;
  fireAt: string | null;
  state: string;
  snoozedUntil: string | null;
}
interface T {
  id: string;
  dueAt: string | null;
  nextReminderAt: string | null;
  reminders: R[];
}

const run = Date.now().toString(36);
let n = 0;
async function user(): Promise<{ id: string; token: string }> {
  const id = `reminders-${run}-${++n}`;
  return { id, token: await tokenFor(id) };
}

async function ok<D>(query: string, variables: Record<string, unknown>, token: string): Promise<D> {
  const { body } = await gql<D>(query, variables, { token });
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data!;
}

async function fails(query: string, variables: Record<string, unknown>, token: string) {
  const { body } = await gql(query, variables, { token });
  assert.ok(body.errors?.length, 'expected an error');
  return body.errors[0]!;
}

const DUE = '2031-05-01T09:00:00.000Z';

let sql: postgres.Sql;
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(() => sql.end({ timeout: 2 }));

describe('reminders on tasks', () => {
  test('a task with a due date gets the default reminder (30 min before); without one, none', async () => {
    const u = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'default', dueAt: DUE } },
      u.token,
    );
    assert.equal(t.reminders.length, 1);
    assert.deepEqual(
      {
        before: t.reminders[0]!.before,
        fireAt: t.reminders[0]!.fireAt,
        state: t.reminders[0]!.state,
      },
      { before: 'PT30M', fireAt: '2031-05-01T08:30:00.000Z', state: 'PENDING' },
    );
    assert.equal(t.nextReminderAt, '2031-05-01T08:30:00.000Z');
    const { createTask: none } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'no due' } },
      u.token,
    );
    assert.deepEqual(none.reminders, []);
  });

  test('the default reminder follows the settings, and can be off', async () => {
    const u = await user();
    await ok(SETTINGS, { input: { defaultReminderOffset: 'PT2H' } }, u.token);
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: '2h', dueAt: DUE } },
      u.token,
    );
    assert.equal(t.reminders[0]!.before, 'PT2H');
    await ok(SETTINGS, { input: { defaultReminderOffset: null } }, u.token);
    const { createTask: off } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'off', dueAt: DUE } },
      u.token,
    );
    assert.deepEqual(off.reminders, []);
  });

  test('explicit reminders: before, after (overdue nudge) and at; [] means none', async () => {
    const u = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      {
        input: {
          title: 'three',
          dueAt: DUE,
          reminders: [{ before: 'P1D' }, { after: 'PT1H' }, { at: '2031-04-01T12:00:00+02:00' }],
        },
      },
      u.token,
    );
    assert.deepEqual(
      t.reminders.map((r) => [r.before, r.after, r.fireAt]),
      [
        ['P1D', null, '2031-04-30T09:00:00.000Z'],
        [null, 'PT1H', '2031-05-01T10:00:00.000Z'],
        [null, null, '2031-04-01T10:00:00.000Z'],
      ],
    );
    assert.equal(t.nextReminderAt, '2031-04-01T10:00:00.000Z', 'the soonest');
    const { createTask: none } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'none', dueAt: DUE, reminders: [] } },
      u.token,
    );
    assert.deepEqual(none.reminders, []);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    [
      'two kinds in one reminder',
      { title: 't', dueAt: DUE, reminders: [{ before: 'PT5M', at: DUE }] },
      'input.reminders.0',
    ],
    ['an empty reminder', { title: 't', dueAt: DUE, reminders: [{}] }, 'input.reminders.0'],
    [
      'a relative reminder without a due date',
      { title: 't', reminders: [{ before: 'PT5M' }] },
      'input.reminders.0',
    ],
    [
      'eleven reminders',
      {
        title: 't',
        dueAt: DUE,
        reminders: Array.from({ length: 11 }, (_, i) => ({ before: `PT${i + 1}M` })),
      },
      'input.reminders',
    ],
    [
      'remindBefore and reminders together',
      { title: 't', dueAt: DUE, remindBefore: 'PT5M', reminders: [] },
      'input.remindBefore',
    ],
  ];
  for (const [what, input, path] of bad) {
    test(`${what} is BAD_USER_INPUT naming ${path}`, async () => {
      const u = await user();
      const err = await fails(CREATE, { input }, u.token);
      assert.equal(err.extensions?.code, 'BAD_USER_INPUT');
      assert.ok(
        err.extensions?.problems?.some((p) => p.path === path),
        JSON.stringify(err.extensions),
      );
    });
  }

  test('a reminder whose time has passed is kept but not armed, and the response says so', async () => {
    const u = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'past', dueAt: DUE, reminders: [] } },
      u.token,
    );
    const { addReminder } = await ok<{
      addReminder: { armed: boolean; message: string | null; reminder: R };
    }>(ADD, { taskId: t.id, input: { at: '2020-01-01T00:00:00Z' } }, u.token);
    assert.equal(addReminder.armed, false);
    assert.match(addReminder.message ?? '', /already passed/);
    assert.equal(addReminder.reminder.state, 'NOT_ARMED');
    const { addReminder: future } = await ok<{ addReminder: { armed: boolean; reminder: R } }>(
      ADD,
      { taskId: t.id, input: { before: 'PT10M' } },
      u.token,
    );
    assert.equal(future.armed, true);
    assert.equal(future.reminder.state, 'PENDING');
  });

  test('remove, snooze and dismiss; each bumps the version and writes its event', async () => {
    const u = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'ops', dueAt: DUE, reminders: [{ before: 'PT1H' }, { before: 'PT10M' }] } },
      u.token,
    );
    const [first, second] = t.reminders;
    const { snoozeReminder: s } = await ok<{ snoozeReminder: T }>(
      SNOOZE,
      { taskId: t.id, reminderId: first!.id, until: '2031-05-01T08:45:00Z' },
      u.token,
    );
    const snoozed = s.reminders.find((r) => r.id === first!.id)!;
    assert.deepEqual(
      [snoozed.state, snoozed.fireAt, snoozed.snoozedUntil],
      ['SNOOZED', '2031-05-01T08:45:00.000Z', '2031-05-01T08:45:00.000Z'],
    );
    const { dismissReminder: d } = await ok<{ dismissReminder: T }>(
      DISMISS,
      { taskId: t.id, reminderId: second!.id },
      u.token,
    );
    assert.equal(d.reminders.find((r) => r.id === second!.id)!.state, 'DISMISSED');
    assert.equal(d.nextReminderAt, '2031-05-01T08:45:00.000Z');
    const { removeReminder } = await ok<{ removeReminder: { reminders: { id: string }[] } }>(
      REMOVE,
      { taskId: t.id, reminderId: second!.id },
      u.token,
    );
    assert.deepEqual(
      removeReminder.reminders.map((r) => r.id),
      [first!.id],
    );
    const events = await sql<
      { type: string }[]
    >`SELECT event->>'type' AS type FROM outbox WHERE subject = ${t.id} ORDER BY position`;
    assert.deepEqual(
      events.map((e) => e.type),
      ['task.created', 'reminder.snoozed', 'reminder.dismissed', 'task.updated'],
    );
    const [{ version }] = await sql<
      [{ version: number }]
    >`SELECT version FROM tasks WHERE id = ${t.id}`;
    assert.equal(version, 4);
  });

  test('snooze needs exactly one of until or for, in the future; unknown reminders are NOT_FOUND', async () => {
    const u = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'snooze', dueAt: DUE } },
      u.token,
    );
    const rid = t.reminders[0]!.id;
    assert.equal(
      (await fails(SNOOZE, { taskId: t.id, reminderId: rid }, u.token)).extensions?.code,
      'BAD_USER_INPUT',
    );
    assert.equal(
      (
        await fails(
          SNOOZE,
          { taskId: t.id, reminderId: rid, until: '2020-01-01T00:00:00Z' },
          u.token,
        )
      ).extensions?.code,
      'BAD_USER_INPUT',
    );
    assert.equal(
      (await fails(SNOOZE, { taskId: t.id, reminderId: crypto.randomUUID(), for: 'PT5M' }, u.token))
        .extensions?.code,
      'NOT_FOUND',
    );
    const { snoozeReminder } = await ok<{ snoozeReminder: T }>(
      SNOOZE,
      { taskId: t.id, reminderId: rid, for: 'PT10M' },
      u.token,
    );
    const fireAt = Date.parse(snoozeReminder.reminders[0]!.fireAt!);
    assert.ok(Math.abs(fireAt - (Date.now() + 600_000)) < 30_000, 'about ten minutes from now');
  });

  test("another user's task and reminders are NOT_FOUND", async () => {
    const a = await user();
    const b = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'mine', dueAt: DUE } },
      a.token,
    );
    const rid = t.reminders[0]!.id;
    for (const [q, v] of [
      [ADD, { taskId: t.id, input: { before: 'PT5M' } }],
      [REMOVE, { taskId: t.id, reminderId: rid }],
      [SNOOZE, { taskId: t.id, reminderId: rid, for: 'PT5M' }],
      [DISMISS, { taskId: t.id, reminderId: rid }],
    ] as const) {
      assert.equal((await fails(q, v, b.token)).extensions?.code, 'NOT_FOUND');
    }
  });

  test('moving the due date moves relative reminders; a first due date brings the default', async () => {
    const u = await user();
    const { createTask: t } = await ok<{ createTask: T }>(
      CREATE,
      {
        input: {
          title: 'move',
          dueAt: DUE,
          reminders: [{ before: 'PT1H' }, { at: '2031-04-01T00:00:00Z' }],
        },
      },
      u.token,
    );
    const { updateTask: moved } = await ok<{ updateTask: T }>(
      UPDATE,
      { input: { id: t.id, dueAt: '2031-06-01T09:00:00Z' } },
      u.token,
    );
    assert.deepEqual(
      moved.reminders.map((r) => r.fireAt),
      ['2031-06-01T08:00:00.000Z', '2031-04-01T00:00:00.000Z'],
    );
    const { createTask: undated } = await ok<{ createTask: T }>(
      CREATE,
      { input: { title: 'later' } },
      u.token,
    );
    const { updateTask: dated } = await ok<{ updateTask: T }>(
      UPDATE,
      { input: { id: undated.id, dueAt: DUE } },
      u.token,
    );
    assert.deepEqual(
      dated.reminders.map((r) => [r.before, r.state]),
      [['PT30M', 'PENDING']],
    );
  });
});

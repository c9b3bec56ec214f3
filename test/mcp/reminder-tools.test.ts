import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { buildApi } from '../../api/app.js';
import { createHistoryClient, type HistoryClient } from '../../api/history/history-client.js';
import { insertNotification } from '../../db/notifications.js';
import { createSql, transaction, type Sql } from '../../db/sql.js';
import { encodeHistoryCursor, type HistoryEntry } from '../../domain/history.js';
import type { TaskId, UserId } from '../../domain/ids.js';
import { resolveWhen } from '../../domain/natural-time.js';
import { formatWithOffset } from '../../domain/time/local-date-time.js';
import { createHs256Verifier } from '../../platform/auth.js';
import { createLogger } from '../../platform/logger.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';
import { connect, Transcript, type ToolError } from '../support/mcp-client.js';

// The chat's reminder conversation on the running stack, driven by the SDK's client over HTTP:
// a reminder set in words fires for real (Temporal), shows up as a notification, is snoozed by
// the ids the notification carries, marked read, and the audit history (through Kafka and
// Dapr) tells it all. What the tools did is checked through GraphQL too.

const ZONE = 'Europe/Berlin';

interface Reminder {
  id: string;
  kind: 'before' | 'after' | 'at';
  value: string;
  state: string;
  fireAt: string | null;
  snoozedUntil?: string;
}
interface ReminderItem {
  index: number;
  status: 'succeeded' | 'failed';
  taskId: string;
  reminderId: string | null;
  reminder?: Reminder;
  armed?: boolean;
  note?: string;
  error?: ToolError;
}
interface ReminderBatch {
  results: ReminderItem[];
  succeeded: number;
  failed: number;
}
interface Notification {
  id: string;
  taskId: string;
  reminderId: string;
  title: string;
  fireAt: string;
  deliveredAt: string;
  read: boolean;
}
interface Notifications {
  notifications: Notification[];
  nextCursor: string | null;
}
interface History {
  entries: {
    action: string;
    at: string;
    by: string;
    taskId: string | null;
    changes: { field: string; before?: unknown; after: unknown }[];
  }[];
  nextCursor: string | null;
}
interface TaskBatch {
  results: { status: string; id: string | null; task?: { id: string; dueAt: string | null } }[];
}

const transcript = new Transcript('MCP reminders transcript (compact)');
const call = <T>(client: Client, name: string, args: Record<string, unknown> = {}) =>
  transcript.call<T>(client, name, args);
const fail = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  transcript.fail(client, name, args);

/** "in 10 seconds" when the date parser reads words, else the ISO instant it stands for. */
function inTenSeconds(): string {
  try {
    resolveWhen('in 10 seconds', ZONE, new Date(), 'at');
    return 'in 10 seconds';
  } catch {
    return new Date(Date.now() + 10_000).toISOString();
  }
}

const near = (iso: string | null | undefined, expected: number, slackMs: number, what: string) => {
  assert.ok(iso, `${what}: missing`);
  const off = Math.abs(Date.parse(iso) - expected);
  assert.ok(
    off <= slackMs,
    `${what}: ${iso} is ${off} ms from ${new Date(expected).toISOString()}`,
  );
};

describe('MCP reminders, notifications and history', () => {
  const alice = uniqueUser('mcp-rem-alice');
  const bob = uniqueUser('mcp-rem-bob');
  let aliceToken: string;
  let a: Client;
  let b: Client;
  let sql: Sql;

  const graphql = async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await gql<T>(query, variables, { token: aliceToken });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  };
  const remindersOf = async (taskId: string) =>
    (
      await graphql<{
        task: { reminders: { id: string; state: string; snoozedUntil: string | null }[] };
      }>(
        /* GraphQL */ `
          query ($id: ID!) {
            task(id: $id) {
              reminders {
                id
                state
                snoozedUntil
              }
            }
          }
        `,
        { id: taskId },
      )
    ).task.reminders;
  const addTasks = async (tasks: Record<string, unknown>[]) => {
    const added = await call<TaskBatch>(a, 'add_tasks', { tasks });
    assert.ok(
      added.results.every((r) => r.status === 'succeeded'),
      JSON.stringify(added),
    );
    return added.results.map((r) => r.id!) as [string, ...string[]] & string[];
  };

  before(async () => {
    aliceToken = await tokenFor(alice);
    await graphql(/* GraphQL */ `
      mutation {
        updateSettings(input: { timeZone: "Europe/Berlin" }) {
          timeZone
        }
      }
    `);
    a = await connect(alice);
    b = await connect(bob);
    sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-mcp-rem', max: 2 });
  });
  after(async () => {
    transcript.print();
    await a?.close();
    await b?.close();
    await sql?.end({ timeout: 2 });
  });

  test('the server instructions say how reminders, notifications and snoozing fit', () => {
    const instructions = a.getInstructions() ?? '';
    for (const tool of ['add_reminders', 'list_notifications', 'snooze_reminders', 'task_history'])
      assert.match(instructions, new RegExp(tool));
  });

  test('remind me in 10 seconds → it fires → snooze that for an hour → read → history', async () => {
    transcript.say('add a task: call mom, and one to water the plants');
    const [callMom, plants] = await addTasks([{ title: 'Call mom' }, { title: 'Water plants' }]);

    transcript.say('remind me about both in 10 seconds');
    const at = inTenSeconds();
    const setAt = Date.now();
    const added = await call<ReminderBatch>(a, 'add_reminders', {
      reminders: [
        { taskId: callMom, at },
        { taskId: plants, at },
      ],
    });
    assert.equal(added.succeeded, 2, JSON.stringify(added));
    const [first] = added.results;
    assert.equal(first!.armed, true);
    assert.equal(first!.reminder!.kind, 'at');
    assert.equal(first!.reminder!.state, 'PENDING');
    near(first!.reminder!.fireAt, setAt + 10_000, 3_000, 'fireAt');
    // Shown in the user's zone, with its offset.
    const fireAt = first!.reminder!.fireAt!;
    assert.equal(fireAt, formatWithOffset(new Date(fireAt), ZONE));

    // The reminder workflow fires it for real: wait (bounded) until the chat would see it.
    const notification = await eventually(
      'the notification',
      async () => {
        const page = await a
          .callTool({ name: 'list_notifications', arguments: { unreadOnly: true } })
          .then((r) => r.structuredContent as unknown as Notifications);
        return page.notifications.find((n) => n.taskId === callMom);
      },
      45_000,
    );
    transcript.say('(the reminder fired; what did I miss?)');
    const unread = await call<Notifications>(a, 'list_notifications', { unreadOnly: true });
    assert.ok(unread.notifications.some((n) => n.id === notification.id));
    assert.equal(notification.reminderId, first!.reminderId);
    assert.equal(notification.title, 'Call mom');
    assert.equal(notification.read, false);
    assert.equal(notification.fireAt, fireAt);
    assert.equal(
      notification.deliveredAt,
      formatWithOffset(new Date(notification.deliveredAt), ZONE),
    );

    // GraphQL agrees: the reminder FIRED and there is an unread notification for it.
    assert.equal((await remindersOf(callMom))[0]!.state, 'FIRED');
    const viaGraphQL = await graphql<{
      notifications: { edges: { node: { id: string; reminderId: string; read: boolean } }[] };
    }>(/* GraphQL */ `
      {
        notifications(unreadOnly: true) {
          edges {
            node {
              id
              reminderId
              read
            }
          }
        }
      }
    `);
    assert.ok(
      viaGraphQL.notifications.edges.some(
        (e) => e.node.id === notification.id && e.node.reminderId === first!.reminderId,
      ),
    );

    transcript.say('snooze that for an hour');
    const snoozedAt = Date.now();
    const snoozed = await call<ReminderBatch>(a, 'snooze_reminders', {
      reminders: [
        { taskId: notification.taskId, reminderId: notification.reminderId, for: 'an hour' },
      ],
    });
    assert.equal(snoozed.succeeded, 1, JSON.stringify(snoozed));
    assert.equal(snoozed.results[0]!.reminder!.state, 'SNOOZED');
    near(snoozed.results[0]!.reminder!.snoozedUntil, snoozedAt + 3_600_000, 5_000, 'snoozedUntil');
    const [afterSnooze] = await remindersOf(callMom);
    assert.equal(afterSnooze!.state, 'SNOOZED');
    near(afterSnooze!.snoozedUntil, snoozedAt + 3_600_000, 5_000, 'GraphQL snoozedUntil');

    // Both have fired by now (same time): a page of one, then the next by the cursor.
    const plantsNote = await eventually('the second notification', async () => {
      const r = await a.callTool({ name: 'list_notifications', arguments: { unreadOnly: true } });
      const page = r.structuredContent as unknown as Notifications;
      return page.notifications.find((n) => n.taskId === plants);
    });
    const page1 = await call<Notifications>(a, 'list_notifications', { limit: 1 });
    assert.equal(page1.notifications.length, 1);
    assert.ok(page1.nextCursor);
    const page2 = await call<Notifications>(a, 'list_notifications', {
      limit: 1,
      cursor: page1.nextCursor,
    });
    assert.equal(page2.notifications.length, 1);
    assert.deepEqual(
      new Set([page1.notifications[0]!.id, page2.notifications[0]!.id]),
      new Set([notification.id, plantsNote.id]),
    );
    assert.equal(page2.nextCursor, null);

    transcript.say('ok, seen them');
    const marked = await call<{ marked: number; notFound: string[] }>(
      a,
      'mark_notifications_read',
      { ids: [notification.id, plantsNote.id] },
    );
    assert.deepEqual(marked, { marked: 2, notFound: [] });
    // Idempotent: again, nothing more changes.
    const again = await call<{ marked: number }>(a, 'mark_notifications_read', {
      ids: [notification.id],
    });
    assert.equal(again.marked, 0);
    const none = await call<Notifications>(a, 'list_notifications', { unreadOnly: true });
    assert.deepEqual(none.notifications, []);
    const unreadCount = await graphql<{ notifications: { edges: unknown[] } }>(/* GraphQL */ `
      {
        notifications(unreadOnly: true) {
          edges {
            cursor
          }
        }
      }
    `);
    assert.equal(unreadCount.notifications.edges.length, 0);

    transcript.say('what happened to "call mom"?');
    const wanted = ['task.created', 'reminder.fired', 'reminder.snoozed'];
    const history = await eventually(
      'the history through Kafka',
      async () => {
        const r = await a.callTool({ name: 'task_history', arguments: { taskId: callMom } });
        if (r.isError) return undefined;
        const h = r.structuredContent as unknown as History;
        const actions = h.entries.map((e) => e.action);
        return wanted.every((w) => actions.includes(w)) ? h : undefined;
      },
      45_000,
    );
    const shown = await call<History>(a, 'task_history', { taskId: callMom });
    assert.ok(shown.entries.length >= history.entries.length);
    assert.ok(shown.entries.every((e) => e.taskId === callMom));
    const fired = shown.entries.find((e) => e.action === 'reminder.fired')!;
    assert.equal(fired.by, 'system');
    assert.equal(fired.at, formatWithOffset(new Date(fired.at), ZONE));
    // Newest first: the snooze after the firing after the creation.
    const order = wanted.map((w) => shown.entries.findIndex((e) => e.action === w));
    assert.deepEqual(
      [...order].sort((x, y) => y - x),
      order,
    );
    // Instants in the changes are in the user's offset too.
    const snoozeEntry = shown.entries.find((e) => e.action === 'reminder.snoozed')!;
    assert.equal(
      snoozeEntry.changes.find((c) => c.field === 'snoozedUntil')!.after,
      snoozed.results[0]!.reminder!.snoozedUntil,
    );
    const onlyFired = await call<History>(a, 'task_history', {
      taskId: callMom,
      actions: ['reminder.fired'],
      since: 'yesterday',
    });
    assert.deepEqual(
      onlyFired.entries.map((e) => e.action),
      ['reminder.fired'],
    );
  });

  test('before and after the due date, one in the past, bad items named, dismiss, remove', async () => {
    const dueAt = new Date(Date.now() + 2 * 86_400_000);
    transcript.say('dentist the day after tomorrow; remind me 30 minutes before and a day after');
    const [dentist, noDue] = await addTasks([
      { title: 'Dentist', dueAt: dueAt.toISOString(), remindBefore: 'PT1H' },
      { title: 'Someday' },
    ]);
    const added = await call<ReminderBatch>(a, 'add_reminders', {
      reminders: [
        { taskId: dentist, before: 'PT30M' },
        { taskId: dentist, after: '1 day' },
        { taskId: dentist, at: new Date(Date.now() - 60_000).toISOString() },
        { taskId: noDue, before: 'PT10M' },
        { taskId: dentist, before: 'PT10M', at: dueAt.toISOString() },
        { taskId: dentist, before: 'soonish' },
        { taskId: randomUUID(), before: 'PT5M' },
      ],
    });
    assert.equal(added.succeeded, 3);
    const [before30, after1d, past, noDueItem, both, badDuration, unknownTask] = added.results;
    assert.deepEqual(
      { kind: before30!.reminder!.kind, value: before30!.reminder!.value },
      { kind: 'before', value: 'PT30M' },
    );
    assert.equal(before30!.reminder!.fireAt, formatWithOffset(new Date(+dueAt - 1_800_000), ZONE));
    assert.deepEqual(
      {
        kind: after1d!.reminder!.kind,
        value: after1d!.reminder!.value,
        state: after1d!.reminder!.state,
      },
      { kind: 'after', value: 'P1D', state: 'PENDING' },
    );
    assert.equal(after1d!.reminder!.fireAt, formatWithOffset(new Date(+dueAt + 86_400_000), ZONE));
    // Kept, but it will not fire, and the result says so.
    assert.equal(past!.status, 'succeeded');
    assert.equal(past!.armed, false);
    assert.equal(past!.reminder!.state, 'NOT_ARMED');
    assert.match(past!.note!, /already passed/);
    assert.equal(noDueItem!.error!.code, 'BAD_USER_INPUT');
    assert.equal(noDueItem!.error!.problems![0]!.path, 'reminders.3');
    assert.match(noDueItem!.error!.message, /dueAt/);
    assert.equal(both!.error!.code, 'BAD_USER_INPUT');
    assert.equal(both!.error!.problems![0]!.path, 'reminders.4');
    assert.equal(badDuration!.error!.problems![0]!.path, 'reminders.5.before');
    assert.equal(unknownTask!.error!.code, 'NOT_FOUND');
    assert.equal(unknownTask!.index, 6);

    transcript.say('which reminders does the dentist have?');
    const listed = await call<{
      tasks: { status: string; taskId: string; reminders?: Reminder[]; error?: ToolError }[];
    }>(a, 'get_task_reminders', { taskIds: [dentist, randomUUID(), 'not-an-id'] });
    const [dentistReminders, unknown, malformed] = listed.tasks;
    // The default from remindBefore, then the three added.
    assert.deepEqual(
      dentistReminders!.reminders!.map((r) => [r.kind, r.value]),
      [
        ['before', 'PT1H'],
        ['before', 'PT30M'],
        ['after', 'P1D'],
        ['at', past!.reminder!.value],
      ],
    );
    assert.equal(unknown!.error!.code, 'NOT_FOUND');
    assert.equal(malformed!.error!.code, 'NOT_FOUND');

    transcript.say("don't remind me 30 minutes before; and drop the one a day after");
    const dismissed = await call<ReminderBatch>(a, 'dismiss_reminders', {
      reminders: [{ taskId: dentist, reminderId: before30!.reminderId }],
    });
    assert.equal(dismissed.results[0]!.reminder!.state, 'DISMISSED');
    const removed = await call<ReminderBatch>(a, 'remove_reminders', {
      reminders: [
        { taskId: dentist, reminderId: after1d!.reminderId },
        { taskId: dentist, reminderId: randomUUID() },
        { taskId: dentist, reminderId: 'nope' },
      ],
    });
    assert.equal(removed.succeeded, 1);
    assert.equal(removed.results[0]!.reminder, undefined);
    for (const item of removed.results.slice(1)) {
      assert.equal(item.status, 'failed');
      assert.equal(item.error!.code, 'NOT_FOUND');
      assert.match(item.error!.message, new RegExp(item.reminderId!));
    }
    const again = await call<ReminderBatch>(a, 'remove_reminders', {
      reminders: [{ taskId: dentist, reminderId: after1d!.reminderId }],
    });
    assert.equal(again.results[0]!.error!.code, 'NOT_FOUND');
    const states = await remindersOf(dentist);
    assert.deepEqual(
      states.map((r) => [r.id, r.state]),
      [
        [dentistReminders!.reminders![0]!.id, 'PENDING'],
        [before30!.reminderId, 'DISMISSED'],
        [past!.reminderId, 'NOT_ARMED'],
      ],
    );

    transcript.say('snooze the dismissed one until tomorrow, and some bad ones');
    const until = new Date(Date.now() + 86_400_000);
    const snoozed = await call<ReminderBatch>(a, 'snooze_reminders', {
      reminders: [
        { taskId: dentist, reminderId: before30!.reminderId, until: until.toISOString() },
        { taskId: dentist, reminderId: randomUUID(), for: 'PT1H' },
        { taskId: dentist, reminderId: before30!.reminderId, for: 'an hour or so' },
        { taskId: dentist, reminderId: before30!.reminderId },
        { taskId: dentist, reminderId: before30!.reminderId, until: '2020-01-01T00:00:00Z' },
      ],
    });
    const [ok, unknownReminder, badFor, neither, past2] = snoozed.results;
    assert.equal(ok!.reminder!.state, 'SNOOZED');
    assert.equal(ok!.reminder!.snoozedUntil, formatWithOffset(until, ZONE).replace(/\.\d+/, ''));
    assert.equal(unknownReminder!.error!.code, 'NOT_FOUND');
    assert.equal(badFor!.error!.problems![0]!.path, 'reminders.2.for');
    assert.equal(neither!.error!.problems![0]!.path, 'reminders.3');
    assert.equal(past2!.error!.problems![0]!.path, 'reminders.4.until');
  });

  test("another user's tasks, reminders and notifications are NOT_FOUND", async () => {
    const [task] = await addTasks([{ title: 'Private' }]);
    const added = await call<ReminderBatch>(a, 'add_reminders', {
      reminders: [{ taskId: task, at: new Date(Date.now() + 86_400_000).toISOString() }],
    });
    const reminderId = added.results[0]!.reminderId!;
    const ref = { taskId: task, reminderId };
    transcript.say('(bob, with alice’s ids)');
    for (const [name, item] of [
      ['add_reminders', { taskId: task, before: 'PT5M' }],
      ['snooze_reminders', { ...ref, for: 'PT1H' }],
      ['dismiss_reminders', ref],
      ['remove_reminders', ref],
    ] as const) {
      const out = await call<ReminderBatch>(b, name, { reminders: [item] });
      assert.equal(out.results[0]!.error?.code, 'NOT_FOUND', name);
    }
    const got = await call<{ tasks: { error?: ToolError }[] }>(b, 'get_task_reminders', {
      taskIds: [task],
    });
    assert.equal(got.tasks[0]!.error!.code, 'NOT_FOUND');
    assert.equal((await fail(b, 'task_history', { taskId: task })).code, 'NOT_FOUND');
    assert.equal((await fail(b, 'task_history', { taskId: 'x' })).code, 'NOT_FOUND');

    // A notification of alice's, recorded as the reminder activity does.
    const notificationId = randomUUID();
    await insertNotification(sql, {
      id: notificationId,
      idempotencyKey: `test:${notificationId}`,
      userId: alice as UserId,
      taskId: task as TaskId,
      reminderId,
      fireAt: new Date(),
      late: false,
      missed: false,
    });
    const bobs = await call<Notifications>(b, 'list_notifications');
    assert.deepEqual(bobs.notifications, []);
    const marked = await call<{ marked: number; notFound: string[] }>(
      b,
      'mark_notifications_read',
      { ids: [notificationId, 'junk'] },
    );
    assert.deepEqual(marked, { marked: 0, notFound: [notificationId, 'junk'] });
    const still = await call<Notifications>(a, 'list_notifications', { unreadOnly: true });
    assert.ok(still.notifications.some((n) => n.id === notificationId));
    assert.equal(
      (await fail(a, 'mark_notifications_read', { ids: [notificationId], all: true })).code,
      'BAD_USER_INPUT',
    );
    assert.equal((await fail(a, 'mark_notifications_read', {})).code, 'BAD_USER_INPUT');
    const all = await call<{ marked: number }>(a, 'mark_notifications_read', { all: true });
    assert.ok(all.marked >= 1);
  });

  test('a long page of notifications stays within 16 KiB and the cursor resumes after it', async () => {
    const carol = uniqueUser('mcp-rem-carol');
    const c = await connect(carol);
    try {
      const title = 'x'.repeat(480);
      const ids: string[] = [];
      for (const chunk of [0, 1]) {
        // Not in the transcript: 25 titles of 480 characters say nothing.
        const added = await c.callTool({
          name: 'add_tasks',
          arguments: {
            tasks: Array.from({ length: 25 }, (_, i) => ({ title: `${title} ${chunk}-${i}` })),
          },
        });
        ids.push(...(added.structuredContent as unknown as TaskBatch).results.map((r) => r.id!));
      }
      // In one transaction, as a quiet-hours digest delivers them: one delivered_at for all,
      // so only the id orders them and a cursor must keep the stored microseconds.
      const start = Date.now();
      await transaction(sql, async (tx) => {
        for (const [i, taskId] of ids.entries()) {
          const id = randomUUID();
          await insertNotification(tx, {
            id,
            idempotencyKey: `test:${id}`,
            userId: carol as UserId,
            taskId: taskId as TaskId,
            reminderId: randomUUID(),
            fireAt: new Date(start + i * 1_000),
            late: false,
            missed: false,
          });
        }
      });
      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const result = await c.callTool({
          name: 'list_notifications',
          arguments: { limit: 50, ...(cursor ? { cursor } : {}) },
        });
        const text = (result.content as { text: string }[])[0]!.text;
        assert.ok(Buffer.byteLength(text) <= 16 * 1024, `page of ${Buffer.byteLength(text)} B`);
        const page = result.structuredContent as unknown as Notifications;
        for (const n of page.notifications) {
          assert.ok(!seen.has(n.id), 'no row twice');
          seen.add(n.id);
        }
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(seen.size, 50);
      assert.ok(pages > 1, 'cut for size');
    } finally {
      await c.close();
    }
  });

  test('reminders of 25 long-titled tasks: the answer stays within 16 KiB and names the rest', async () => {
    const dave = uniqueUser('mcp-rem-dave');
    const d = await connect(dave);
    try {
      // Setup through the tools, out of the transcript: 25 tasks × 10 reminders.
      const added = await d.callTool({
        name: 'add_tasks',
        arguments: {
          tasks: Array.from({ length: 25 }, (_, i) => ({ title: `${'t'.repeat(480)} ${i}` })),
        },
      });
      const taskIds = (added.structuredContent as unknown as TaskBatch).results.map((r) => r.id!);
      for (let n = 1; n <= 10; n++) {
        const at = new Date(Date.now() + n * 86_400_000).toISOString();
        const r = await d.callTool({
          name: 'add_reminders',
          arguments: { reminders: taskIds.map((taskId) => ({ taskId, at })) },
        });
        assert.equal((r.structuredContent as unknown as ReminderBatch).succeeded, 25);
      }
      const result = await d.callTool({ name: 'get_task_reminders', arguments: { taskIds } });
      const text = (result.content as { text: string }[])[0]!.text;
      assert.ok(Buffer.byteLength(text) <= 16 * 1024, `${Buffer.byteLength(text)} B`);
      const answer = result.structuredContent as unknown as {
        tasks: { taskId: string; title: string; reminders: Reminder[] }[];
        notShown: string[];
      };
      assert.ok(answer.tasks.length > 0 && answer.tasks.length < 25);
      assert.equal(answer.tasks[0]!.reminders.length, 10);
      assert.equal(answer.tasks[0]!.title.length, 201);
      assert.deepEqual([...answer.tasks.map((t) => t.taskId), ...answer.notShown], taskIds);
    } finally {
      await d.close();
    }
  });

  /** One tools/call on an api of the test's own, with the given history client. */
  async function callWith(history: HistoryClient, name: string, args: Record<string, unknown>) {
    const app = buildApi({
      sql,
      verifier: createHs256Verifier(testEnv.jwtSecret),
      log: createLogger('test', 'silent'),
      history,
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${aliceToken}`,
        },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
      });
      const { result } = res.json<{
        result: { isError?: boolean; content: { text: string }[]; structuredContent?: unknown };
      }>();
      transcript.record(`${name} (api with its own history client)`, args, result);
      return result;
    } finally {
      await app.close();
    }
  }

  test('task_history is UNAVAILABLE with retryAfterSeconds when the audit service is down', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as { port: number };
    await new Promise((r) => srv.close(r));
    const down = createHistoryClient({ daprHost: '127.0.0.1', daprHttpPort: port });
    const result = await callWith(down, 'task_history', {});
    assert.equal(result.isError, true);
    const { error } = JSON.parse(result.content[0]!.text) as { error: ToolError };
    assert.equal(error.code, 'UNAVAILABLE');
    assert.ok(error.retryAfterSeconds! >= 1);
  });

  test('a history page of long changes stays within 16 KiB; the cursor is after the last shown', async () => {
    // 100 edits of a 10,000-character description: each value is cut, and the page is cut too.
    const asked: { after?: string | undefined; first: number }[] = [];
    const long: HistoryClient = {
      page: async (_userId, q) => {
        asked.push({ after: q.after, first: q.first });
        const entries: HistoryEntry[] = Array.from({ length: q.first }, (_, i) => ({
          id: randomUUID(),
          sequence: 1000 - i,
          action: 'task.updated',
          actor: { kind: 'USER', id: alice },
          subject: randomUUID(),
          taskId: randomUUID(),
          occurredAt: new Date(Date.UTC(2026, 10, 1, 12, 0, 0) - i * 60_000).toISOString(),
          recordedAt: new Date().toISOString(),
          changes: [
            { field: 'description', before: 'a'.repeat(10_000), after: 'b'.repeat(10_000) },
          ],
        }));
        return { entries, pageInfo: { endCursor: null, hasNextPage: true } };
      },
    };
    const result = await callWith(long, 'task_history', { limit: 50 });
    assert.ok(Buffer.byteLength(result.content[0]!.text) <= 16 * 1024);
    const page = result.structuredContent as {
      entries: { at: string; changes: { before: string; after: string }[] }[];
      nextCursor: string;
    };
    assert.equal(asked[0]!.first, 50);
    assert.ok(page.entries.length > 0 && page.entries.length < 50, `${page.entries.length}`);
    assert.equal(page.entries[0]!.changes[0]!.after, `${'b'.repeat(200)}…`);
    assert.equal(page.entries[0]!.at, '2026-11-01T13:00:00+01:00');
    // The next page starts after the last entry shown, not after the last one read.
    assert.equal(page.nextCursor, encodeHistoryCursor(1000 - page.entries.length + 1));
    await callWith(long, 'task_history', { limit: 50, cursor: page.nextCursor });
    assert.equal(asked[1]!.after, page.nextCursor);
  });
});

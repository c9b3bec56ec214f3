import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { activityInfo } from '@temporalio/activity';
import { TypedSearchAttributes } from '@temporalio/common';
import type { FireResult } from '../../activities/fire-reminder.js';
import type { DeliverReminderInput, DeliveryOutcome } from '../../activities/reminders.js';
import {
  completeSignal,
  deleteSignal,
  reminderWorkflowId,
  type ReminderSchedule,
  rescheduleSignal,
} from '../../workflows/reminder-contract.js';
import { HISTORY_EVENTS_LIMIT, reminderWorkflow } from '../../workflows/reminder.js';
import {
  addLocalDays,
  fromLocal,
  offsetMsAt,
  toLocal,
  type LocalDateTime,
} from '../../domain/time/local-date-time.js';
import { NextFireAtKey, TaskIdKey } from '../../workflows/search-attributes.js';
import { startTimeSkipping } from '../support/time-skipping.js';

// The reminder workflow on the time-skipping test server, with a fake delivery activity that
// records when (in workflow time) it was called. Hours pass in milliseconds.

const HOUR = 3_600_000;
// A workflow task that keeps failing is retried forever: bound each test instead of hanging.
const bounded = { timeout: 30_000 };
/** Edits sent to one task's workflow in the history test. */
const EDITS = 5_000;
/**
 * No run's history may grow much past the workflow's limit: it continues as new at the first
 * safe point after reaching it (the margin is one burst of signals and a refused close or two).
 */
const MAX_RUN_EVENTS = HISTORY_EVENTS_LIMIT + 500;

interface Delivery extends DeliverReminderInput {
  /** When the workflow scheduled the delivery, in workflow (server) time. */
  atMs: number;
}

let env: TestWorkflowEnvironment;
let TASK_QUEUE: string;
let stop: () => Promise<void>;
const deliveries: Delivery[] = [];
/** After each delivery the workflow hands the reminder to e-mail/webhook delivery. */
const channelCalls: DeliverReminderInput[] = [];
/** The fake delivery says a task whose id starts with this has no e-mail/webhook channel. */
const NO_CHANNELS = 'no-channels-';

before(async () => {
  ({
    env,
    taskQueue: TASK_QUEUE,
    stop,
  } = await startTimeSkipping(
    {
      // Runs as a local activity: its schedule time is the worker's clock, not the test
      // server's (which skips hours), so the server's time is asked for.
      async fireReminder(input: DeliverReminderInput): Promise<FireResult> {
        deliveries.push({ ...input, atMs: await env.currentTimeMs() });
        return { outcome: 'sent', channels: !input.taskId.startsWith(NO_CHANNELS) };
      },
      // What runs recorded before one-task-fire-v1 call (the replay test covers them).
      async deliverReminder(input: DeliverReminderInput): Promise<DeliveryOutcome> {
        deliveries.push({ ...input, atMs: activityInfo().scheduledTimestampMs });
        return 'sent';
      },
      async deliverToChannels(input: DeliverReminderInput) {
        channelCalls.push(input);
        return { email: 'off' as const, webhook: 'off' as const };
      },
    },
    'reminder-test',
  ));
});

after(() => stop?.());

const deliveriesFor = (taskId: string): Delivery[] => deliveries.filter((d) => d.taskId === taskId);

/** Starts (or signals) a task's reminder workflow the way the relay does. */
async function schedule(taskId: string, state: ReminderSchedule) {
  return env.client.workflow.signalWithStart(reminderWorkflow, {
    workflowId: reminderWorkflowId(taskId),
    taskQueue: TASK_QUEUE,
    args: [{ taskId, userId: 'wf-user' }],
    signal: rescheduleSignal,
    signalArgs: [state],
    workflowExecutionTimeout: '400 days',
    // What the relay sets too: the web UI finds a task's workflow by them, in every run.
    memo: { title: state.title },
    typedSearchAttributes: new TypedSearchAttributes([{ key: TaskIdKey, value: taskId }]),
  });
}

/**
 * The workflow ended before `fireAt` in workflow time. (The test server's clock itself may run on
 * past a cancelled timer once nothing else is pending, so the close time is what tells.)
 */
async function assertClosedBefore(handle: WorkflowHandle, fireAt: string): Promise<void> {
  const { closeTime, status } = await handle.describe();
  assert.equal(status.name, 'COMPLETED');
  assert.ok(
    closeTime && closeTime.getTime() < Date.parse(fireAt),
    `closed at ${closeTime?.toISOString()}, before ${fireAt}`,
  );
}

const inHours = async (h: number): Promise<string> =>
  new Date((await env.currentTimeMs()) + h * HOUR).toISOString();

describe('reminder workflow', () => {
  test('a reminder due in an hour fires exactly once, at its fireAt', bounded, async () => {
    const taskId = randomUUID();
    const fireAt = await inHours(1);
    const handle = await schedule(taskId, {
      version: 1,
      title: 't',
      reminders: [{ id: 'due', fireAt }],
    });
    await handle.result();
    const got = deliveriesFor(taskId);
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.deepEqual(
      {
        taskId: got[0]!.taskId,
        userId: got[0]!.userId,
        reminderId: got[0]!.reminderId,
        fireAt: got[0]!.fireAt,
      },
      { taskId, userId: 'wf-user', reminderId: 'due', fireAt },
    );
    assert.deepEqual(
      channelCalls.filter((c) => c.taskId === taskId),
      [{ taskId, userId: 'wf-user', reminderId: 'due', fireAt }],
      'then handed once to e-mail/webhook delivery',
    );
    const lateMs = got[0]!.atMs - Date.parse(fireAt);
    assert.ok(lateMs >= 0, `not before its time (${lateMs} ms early)`);
    assert.ok(lateMs < 60_000, `on time, not ${lateMs} ms late`);
  });

  test(
    'a user without e-mail or webhook: the fire is one local activity, with no channel step',
    bounded,
    async () => {
      const taskId = `${NO_CHANNELS}${randomUUID()}`;
      const fireAt = await inHours(1);
      const handle = await schedule(taskId, {
        version: 1,
        title: 't',
        reminders: [{ id: 'due', fireAt }],
      });
      await handle.result();
      assert.equal(deliveriesFor(taskId).length, 1);
      assert.deepEqual(
        channelCalls.filter((c) => c.taskId === taskId),
        [],
      );
      // One workflow task to arm it, one to fire (the delivery a marker in it), no activity task.
      const events = (await handle.fetchHistory()).events ?? [];
      assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0);
      assert.equal(events.filter((e) => e.workflowTaskCompletedEventAttributes).length, 2);
    },
  );

  test(
    'complete before the time: no delivery, and the workflow ends without waiting',
    bounded,
    async () => {
      const taskId = randomUUID();
      const fireAt = await inHours(1);
      const handle = await schedule(taskId, {
        version: 1,
        title: 't',
        reminders: [{ id: 'due', fireAt }],
      });
      await handle.signal(completeSignal, { version: 1 });
      await handle.result();
      assert.deepEqual(deliveriesFor(taskId), []);
      await assertClosedBefore(handle, fireAt);
    },
  );

  test(
    'a reschedule to a later time with a newer version fires once, at the new time only',
    bounded,
    async () => {
      const taskId = randomUUID();
      const oldFireAt = await inHours(1);
      const newFireAt = await inHours(2);
      const handle = await schedule(taskId, {
        version: 1,
        title: 't',
        reminders: [{ id: 'due', fireAt: oldFireAt }],
      });
      await env.sleep(30 * 60_000); // half-way to the old time: the workflow is already waiting
      await handle.signal(rescheduleSignal, {
        version: 2,
        title: 't',
        reminders: [{ id: 'due', fireAt: newFireAt }],
      });
      await handle.result();
      const got = deliveriesFor(taskId);
      assert.deepEqual(
        got.map((d) => d.fireAt),
        [newFireAt],
      );
      assert.ok(got[0]!.atMs >= Date.parse(newFireAt), 'not before the new time');
    },
  );

  test('a reschedule carrying an older version is ignored', bounded, async () => {
    const taskId = randomUUID();
    const fireAt = await inHours(2);
    const staleFireAt = await inHours(1);
    const handle = await schedule(taskId, {
      version: 3,
      title: 't',
      reminders: [{ id: 'due', fireAt }],
    });
    await handle.signal(rescheduleSignal, {
      version: 2,
      title: 'stale',
      reminders: [{ id: 'due', fireAt: staleFireAt }],
    });
    await handle.result();
    const got = deliveriesFor(taskId);
    assert.deepEqual(
      got.map((d) => d.fireAt),
      [fireAt],
    );
    assert.ok(got[0]!.atMs >= Date.parse(fireAt));
  });

  test('a complete carrying an older version is ignored', bounded, async () => {
    const taskId = randomUUID();
    const fireAt = await inHours(1);
    const handle = await schedule(taskId, {
      version: 2,
      title: 't',
      reminders: [{ id: 'due', fireAt }],
    });
    await handle.signal(completeSignal, { version: 1 });
    await handle.result();
    assert.deepEqual(
      deliveriesFor(taskId).map((d) => d.fireAt),
      [fireAt],
    );
  });

  test('delete: no delivery, and the workflow ends', bounded, async () => {
    const taskId = randomUUID();
    const fireAt = await inHours(1);
    const handle = await schedule(taskId, {
      version: 1,
      title: 't',
      reminders: [{ id: 'due', fireAt }],
    });
    await handle.signal(deleteSignal);
    await handle.result();
    assert.deepEqual(deliveriesFor(taskId), []);
    await assertClosedBefore(handle, fireAt);
  });

  test('several reminders fire in time order, each once', bounded, async () => {
    const taskId = randomUUID();
    const later = await inHours(3);
    const sooner = await inHours(1);
    const handle = await schedule(taskId, {
      version: 1,
      title: 't',
      reminders: [
        { id: 'later', fireAt: later },
        { id: 'sooner', fireAt: sooner },
      ],
    });
    await handle.result();
    const got = deliveriesFor(taskId);
    assert.deepEqual(
      got.map((d) => d.reminderId),
      ['sooner', 'later'],
    );
    assert.ok(got[0]!.atMs >= Date.parse(sooner) && got[0]!.atMs < Date.parse(later));
    assert.ok(got[1]!.atMs >= Date.parse(later));
  });

  test('a reminder already due fires at once', bounded, async () => {
    const taskId = randomUUID();
    const now = await env.currentTimeMs();
    const fireAt = new Date(now - HOUR).toISOString();
    const handle = await schedule(taskId, {
      version: 1,
      title: 't',
      reminders: [{ id: 'due', fireAt }],
    });
    await handle.result();
    const got = deliveriesFor(taskId);
    assert.deepEqual(
      got.map((d) => d.fireAt),
      [fireAt],
    );
    assert.ok(got[0]!.atMs - now < 60_000, 'without waiting');
  });

  test('a redelivered reschedule with the same version does not fire twice', bounded, async () => {
    const taskId = randomUUID();
    const first = await inHours(1);
    const second = await inHours(2);
    const state: ReminderSchedule = {
      version: 1,
      title: 't',
      reminders: [
        { id: 'a', fireAt: first },
        { id: 'b', fireAt: second },
      ],
    };
    const handle = await schedule(taskId, state);
    await env.sleep(90 * 60_000); // 'a' has fired; 'b' is pending
    await handle.signal(rescheduleSignal, state); // the relay delivered the same row again
    await handle.result();
    assert.deepEqual(
      deliveriesFor(taskId).map((d) => d.reminderId),
      ['a', 'b'],
    );
  });

  test(
    'rescheduled 5,000 times: each reminder fires once, at its last time, over runs that continued as new',
    { timeout: 120_000 },
    async (t) => {
      const taskId = randomUUID();
      const early = await inHours(1);
      const base = Date.parse(await inHours(2));
      // Like a snooze: each newer version moves reminder 'b' a second later; 'a' stays put.
      const edit = (version: number): ReminderSchedule => ({
        version,
        title: `t${version}`,
        reminders: [
          { id: 'a', fireAt: early },
          { id: 'b', fireAt: new Date(base + version * 1000).toISOString() },
        ],
      });
      const started = await schedule(taskId, edit(1));
      await env.sleep(90 * 60_000); // 'a' has fired; every edit below still names it
      const handle = env.client.workflow.getHandle(reminderWorkflowId(taskId));
      // In bursts of 50 at once: the order they arrive in is not the order they were sent, and
      // some arrive while a run is continuing as new (the server refuses to close the run until
      // it has applied them). Each burst waits until the workflow has applied the one before, as
      // the relay does: a sender that never pauses would keep every close refused (see docs/architecture.md).
      for (let v = 2; v <= EDITS + 1; v += 50) {
        const burst = Array.from({ length: Math.min(50, EDITS + 2 - v) }, (_, i) => v + i);
        await Promise.all(burst.map((version) => handle.signal(rescheduleSignal, edit(version))));
        await applied(handle, edit(burst.at(-1)!).reminders[1]!.fireAt);
      }
      // Stale: had a new run forgotten the version it had reached, 'b' would fire 15 min early.
      await handle.signal(rescheduleSignal, {
        ...edit(1),
        reminders: [edit(1).reminders[0]!, { id: 'b', fireAt: await inHours(0.25) }],
      });
      await handle.result();

      const last = edit(EDITS + 1).reminders[1]!.fireAt;
      const got = deliveriesFor(taskId);
      assert.deepEqual(
        got.map((d) => `${d.reminderId}@${d.fireAt}`),
        [`a@${early}`, `b@${last}`],
      );
      const lateMs = got[1]!.atMs - Date.parse(last);
      assert.ok(lateMs >= 0 && lateMs < 60_000, `on time, not ${lateMs} ms off`);

      const lastRun = await handle.describe();
      assert.notEqual(lastRun.runId, started.signaledRunId);
      assert.equal(lastRun.memo?.title, 't1', 'the memo went along');
      assert.equal(lastRun.typedSearchAttributes.get(TaskIdKey), taskId, 'so did TaskId');

      const { lengths: runs, failedTasks } = await historyLengths(
        reminderWorkflowId(taskId),
        started.signaledRunId,
      );
      t.diagnostic(
        `${runs.length} runs of ${runs.join(', ')} events; ${failedTasks} refused closes`,
      );
      assert.ok(
        runs.length >= 3,
        `continued as new: ${runs.length} run(s) of ${runs.join(', ')} events`,
      );
      assert.ok(
        runs.every((n) => n <= MAX_RUN_EVENTS),
        `every run stays under ${MAX_RUN_EVENTS} events: ${runs.join(', ')}`,
      );
    },
  );

  // Last in the file: it moves the test server's clock about a year ahead.
  test(
    'a 09:00 reminder the day after each DST change fires at 09:00 local (Berlin, New York)',
    bounded,
    async () => {
      const taskId = randomUUID();
      // The first of each transition still ahead of the test server's clock (it starts at the
      // real time): the day after it, 09:00 local.
      const days = dayAfterEachTransition(await env.currentTimeMs());
      const reminders = days.map(({ tz, day }, i) => ({
        id: `dst-${i}`,
        fireAt: fromLocal({ ...day, hour: 9, minute: 0, second: 0 }, tz).toISOString(),
      }));
      const handle = await schedule(taskId, { version: 1, title: 't', reminders });
      await handle.result();
      const got = deliveriesFor(taskId);
      assert.equal(got.length, 4);
      for (const [i, { tz }] of days.entries()) {
        const d = got.find((x) => x.reminderId === `dst-${i}`)!;
        const local = toLocal(new Date(d.atMs), tz);
        assert.deepEqual(
          [local.hour, local.minute],
          [9, 0],
          `${tz} ${d.fireAt}: fired at ${new Date(d.atMs).toISOString()}`,
        );
        const lateMs = d.atMs - Date.parse(d.fireAt);
        assert.ok(lateMs >= 0 && lateMs < 60_000, `on time, not ${lateMs} ms off`);
      }
    },
  );
});

/**
 * Waits until the workflow shows `fireAt` as its next fire time (search attribute `NextFireAt`,
 * read from the server without running the workflow): it has applied the signal that set it.
 */
async function applied(handle: WorkflowHandle, fireAt: string): Promise<void> {
  let shown: unknown;
  for (let i = 0; i < 1_000; i++) {
    const { typedSearchAttributes } = await handle.describe();
    shown = typedSearchAttributes.get(NextFireAtKey);
    if (shown instanceof Date && shown.toISOString() === fireAt) return;
    await setTimeout(10);
  }
  assert.fail(`the workflow never showed NextFireAt ${fireAt} (last ${String(shown)})`);
}

/**
 * The length of each run's history, oldest run first (each continued-as-new run names the next),
 * and how many workflow tasks failed: here, closes the server refused because signals came in.
 */
async function historyLengths(workflowId: string, firstRunId: string) {
  const lengths: number[] = [];
  let failedTasks = 0;
  // Bounded: 5,000 edits continue as new a handful of times, never a hundred.
  for (let runId: string | undefined = firstRunId; runId && lengths.length < 100;) {
    const handle: WorkflowHandle = env.client.workflow.getHandle(workflowId, runId);
    const events = (await handle.fetchHistory()).events ?? [];
    lengths.push(events.length);
    failedTasks += events.filter((e) => e.workflowTaskFailedEventAttributes).length;
    runId =
      events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { lengths, failedTasks };
}

/**
 * For Europe/Berlin and America/New_York, the day after each of their next two offset changes
 * (one spring-forward, one fall-back) after `fromMs`, found by scanning the zone's offset.
 */
function dayAfterEachTransition(fromMs: number): { tz: string; day: LocalDateTime }[] {
  const found: { tz: string; day: LocalDateTime }[] = [];
  for (const tz of ['Europe/Berlin', 'America/New_York']) {
    let changes = 0;
    let prev = offsetMsAt(new Date(fromMs), tz);
    for (let t = fromMs; changes < 2 && t < fromMs + 400 * 24 * HOUR; t += HOUR) {
      const offset = offsetMsAt(new Date(t), tz);
      if (offset !== prev) {
        found.push({ tz, day: addLocalDays(toLocal(new Date(t), tz), 1) });
        changes++;
      }
      prev = offset;
    }
    assert.equal(changes, 2, `${tz} changes its offset twice a year`);
  }
  return found;
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { createScheduleDigest } from '../../worker/schedule-digest.js';
import { digestWorkflowId } from '../../workflows/digest-contract.js';
import { reminderWorkflowId } from '../../workflows/reminder-contract.js';
import { WORKER_TASK_QUEUE } from '../../workflows/task-queue.js';
import { seriesWorkflowId } from '../../workflows/series-contract.js';
import {
  CREATE_OCCURRENCE_SUMMARY,
  DELIVER_REMINDER_SUMMARY,
  digestTimerSummary,
  PLAN_SERIES_SUMMARY,
  reminderTimerSummary,
  seriesTimerSummary,
  utc,
} from '../../workflows/summaries.js';
import { apiUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';

// What an operator sees of each workflow in the Temporal web UI, read from the stack's Temporal
// dev server the way the UI reads it: describe (static summary and details), the workflow
// metadata query (current details) and the history (timer and activity summaries).

let connection: Connection;
let client: Client;
before(async () => {
  connection = await Connection.connect({ address: testEnv.temporalAddress });
  client = new Client({ connection, namespace: 'default' });
});
after(() => connection?.close());

const decode = (p: Payload | null | undefined): unknown =>
  p ? defaultPayloadConverter.fromPayload(p) : undefined;

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[0];
const kindOf = (e: HistoryEvent): string =>
  e.timerStartedEventAttributes
    ? 'timer'
    : e.activityTaskScheduledEventAttributes
      ? 'activity'
      : e.markerRecordedEventAttributes
        ? 'local activity'
        : e.workflowExecutionStartedEventAttributes
          ? 'start'
          : 'other';

/** Each history event's summary, in order, with what kind of event carries it. */
async function summaries(handle: WorkflowHandle): Promise<{ kind: string; summary: unknown }[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? [])
    .filter((e) => e.userMetadata?.summary)
    .map((e) => ({ kind: kindOf(e), summary: decode(e.userMetadata!.summary) }));
}

const currentDetails = async (handle: WorkflowHandle): Promise<string | undefined> =>
  (await handle.query(workflowMetadataQuery)).currentDetails ?? undefined;

/** The workflow's first run (the one the relay started, with its static summary). */
async function firstRun(workflowId: string): Promise<WorkflowHandle> {
  const d = await eventually(`workflow ${workflowId}`, () =>
    client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined),
  );
  const firstRunId = d.raw.workflowExecutionInfo?.firstRunId || d.runId;
  return client.workflow.getHandle(workflowId, firstRunId);
}

describe('the Temporal web UI', () => {
  test('a reminder workflow: summary, details, next fire time, timer and delivery', async () => {
    const u = await apiUser('web-ui-reminder');
    const soon = new Date(Date.now() + 2_000).toISOString();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const task = await u.createTask({
      title: 'Pay rent',
      reminders: [{ at: soon }, { at: later }],
    });
    const handle = await firstRun(reminderWorkflowId(task.id));

    const d = await handle.describe();
    assert.equal(await d.staticSummary(), 'Reminders for ‘Pay rent’');
    const details = await d.staticDetails();
    assert.ok(details?.includes(task.id) && details.includes(u.id), details);

    // The first reminder fires; the workflow then waits for the second.
    const waiting = await eventually('the wait for the second reminder', async () => {
      const now = await currentDetails(handle);
      return now?.includes(utc(later)) ? now : undefined;
    });
    assert.match(
      waiting,
      /^Reminders for ‘Pay rent’\n\nNext reminder at .* \(reminder `[^`]+`; 1 pending\)$/,
    );
    const reminders = (await u.task(task.id))!.reminders as { id: string; fireAt: string }[];
    const [first, second] = [...reminders].sort(
      (a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt),
    );
    const events = await summaries(handle);
    const timers = events.filter((e) => e.kind === 'timer').map((e) => e.summary);
    // Armed late (the relay slower than 2 s), the first reminder fires without a timer.
    assert.deepEqual(timers.slice(-1), [reminderTimerSummary({ id: second!.id, fireAt: later })]);
    for (const t of timers.slice(0, -1))
      assert.equal(t, reminderTimerSummary({ id: first!.id, fireAt: soon }));
    assert.ok(
      events.some((e) => e.summary === DELIVER_REMINDER_SUMMARY),
      `the delivery's summary in ${JSON.stringify(events)}`,
    );

    // A renamed task: the static summary stays as started, the current details follow.
    await u.ok(`mutation ($input: UpdateTaskInput!) { updateTask(input: $input) { id } }`, {
      input: { id: task.id, title: 'Pay the rent' },
    });
    await eventually('the new title in the current details', async () =>
      (await currentDetails(handle))?.startsWith('Reminders for ‘Pay the rent’\n')
        ? true
        : undefined,
    );
    assert.equal(await (await handle.describe()).staticSummary(), 'Reminders for ‘Pay rent’');
    await u.ok(`mutation ($id: ID!) { deleteTask(id: $id) { deletedIds } }`, { id: task.id });
  });

  test('a series workflow: title and rule, and what it waits for in every run', async () => {
    const u = await apiUser('web-ui-series');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const { createSeries: s } = await u.ok<{ createSeries: { id: string; text: string } }>(
      `mutation ($input: CreateSeriesInput!) { createSeries(input: $input) { id text } }`,
      {
        input: {
          title: 'Standup',
          rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
          dtstart: `${tomorrow}T09:00:00`,
          timeZone: 'UTC',
        },
      },
    );
    const summary = `Series ‘Standup’ · ${s.text}`;
    const first = await firstRun(seriesWorkflowId(s.id));
    const d = await first.describe();
    assert.equal(await d.staticSummary(), summary);
    assert.ok((await d.staticDetails())?.includes(s.id));
    // The run that is waiting now (after continue-as-new: without static summary) still says
    // which series it is, and what it waits for.
    const now = client.workflow.getHandle(seriesWorkflowId(s.id));
    const details = await eventually('the series waiting', async () => {
      const text = await currentDetails(now).catch(() => undefined);
      return text && !text.includes('Creating') ? text : undefined;
    });
    assert.match(details, /^Series ‘Standup’ · .*\n\n(Next occurrence at|Waiting for a change: )/);
    assert.ok(details.startsWith(`${summary}\n\n`), details);
    // Its steps: the plan and the occurrence (local activities) and the sleep until the next.
    const steps = [...(await summaries(first)), ...(await summaries(now))];
    for (const expected of [PLAN_SERIES_SUMMARY, CREATE_OCCURRENCE_SUMMARY])
      assert.ok(
        steps.some((e) => e.kind === 'local activity' && e.summary === expected),
        expected,
      );
    const until = /Next occurrence at (.*) UTC$/.exec(details)?.[1];
    if (until) {
      const timer = seriesTimerSummary(`${until.replace(' ', 'T')}Z`);
      assert.ok(
        steps.some((e) => e.kind === 'timer' && e.summary === timer),
        timer,
      );
    }
  });

  test('a digest workflow: summary, details and the timer until the quiet window ends', async () => {
    const windowEnd = new Date(Date.now() + 3_600_000);
    windowEnd.setUTCMilliseconds(0);
    const userId = `web-ui-digest-${Date.now()}`;
    await createScheduleDigest(client, WORKER_TASK_QUEUE)(userId, windowEnd);
    const handle = client.workflow.getHandle(digestWorkflowId(userId, windowEnd));
    try {
      const d = await handle.describe();
      assert.equal(
        await d.staticSummary(),
        `Digest of deferred reminders at ${utc(windowEnd.toISOString())}`,
      );
      assert.ok((await d.staticDetails())?.includes(userId));
      const timers = await eventually('the timer', async () => {
        const got = await summaries(handle);
        return got.some((e) => e.kind === 'timer') ? got : undefined;
      });
      assert.deepEqual(
        timers.filter((e) => e.kind === 'timer'),
        [{ kind: 'timer', summary: digestTimerSummary(windowEnd.toISOString()) }],
      );
      assert.match((await currentDetails(handle))!, /\n\nWaiting for the quiet window to end$/);
    } finally {
      await handle.terminate('test over');
    }
  });
});

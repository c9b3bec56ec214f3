import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeliverDigestToChannelsInput } from '../activities/channels.js';
import type { DeliverDigestInput } from '../activities/digests.js';
import type { FireResult } from '../activities/fire-reminder.js';
import type { DeliverReminderInput } from '../activities/reminders.js';
import type { CreateOccurrenceInput, PlanSeriesInput, SeriesStep } from '../activities/series.js';
import { seriesWorkflow } from '../workflows/series.js';
import { createScheduleDigest } from '../worker/schedule-digest.js';
import { digestWorkflowId } from '../workflows/digest-contract.js';
import { cliFatal } from '../platform/lifecycle.js';
import { ROOT, toolsDir } from '../stack/paths.js';
import { encodedSearchAttributes } from '../stack/temporal-search-attributes.js';
import {
  completeSignal,
  deleteSignal,
  rescheduleSignal,
  type ReminderSchedule,
} from '../workflows/reminder-contract.js';
import { reminderWorkflow } from '../workflows/reminder.js';
import { NextFireAtKey } from '../workflows/search-attributes.js';

// Records reminder and digest workflow histories for the replay test (test/unit/workflow-replay.test.ts):
//   npm run histories:record -- <prefix> [scenario ...]     e.g. v3-, or v4- edited-many
// Without scenario names it records them all. A workflow that continued as new is recorded run by
// run (<prefix><scenario>-run-<n>.json).
// Run it when a workflow change is meant to change behaviour, and commit the new files next to
// the old ones: old histories must keep replaying (use `patched()` for incompatible changes).
// Existing files are never overwritten.

const OUT = join(ROOT, 'test/workflows/histories');
const HOUR = 3_600_000;
type Step = (
  h: WorkflowHandle<typeof reminderWorkflow>,
  env: TestWorkflowEnvironment,
) => Promise<void>;

async function main(): Promise<void> {
  const prefix = process.argv[2] ?? '';
  const only = process.argv.slice(3);
  const wanted = (name: string): boolean => only.length === 0 || only.includes(name);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: join(toolsDir(), 'bin/temporal-test-server') },
    },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: encodedSearchAttributes(),
  });
  const taskQueue = 'record-histories';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: {
      async deliverReminder(_: DeliverReminderInput) {
        return 'sent' as const;
      },
      async fireReminder(_: DeliverReminderInput): Promise<FireResult> {
        return { outcome: 'sent', channels: true };
      },
      async deliverToChannels(_: DeliverReminderInput) {
        return { email: 'off' as const, webhook: 'off' as const };
      },
      async deliverDigest(input: DeliverDigestInput) {
        return input.userId.endsWith('empty') ? null : { digestId: input.digestId, reminders: 2 };
      },
      async deliverDigestToChannels(_: DeliverDigestToChannelsInput) {
        return { email: 'off' as const, webhook: 'off' as const };
      },
      // A series: create at once, then sleep an hour and create again, then done.
      async planSeries(input: PlanSeriesInput): Promise<SeriesStep> {
        const step = (planned.get(input.seriesId) ?? 0) + 1;
        planned.set(input.seriesId, step);
        const at = (h: number) => new Date(Date.parse(input.now) + h * HOUR).toISOString();
        if (step === 1) return { kind: 'create', start: input.now };
        if (step === 2) return { kind: 'sleep', until: at(1) };
        if (step === 3) return { kind: 'create', start: input.now };
        return { kind: 'done', reason: 'ended' };
      },
      async createOccurrence(_: CreateOccurrenceInput) {
        return { outcome: 'created' as const, taskId: 'task' };
      },
    },
  });
  const planned = new Map<string, number>();
  const state = (version: number, ...hours: number[]): ReminderSchedule => ({
    version,
    title: 'Water the plants',
    reminders: hours.map((h, i) => ({
      id: `r${i}`,
      fireAt: new Date(Date.now() + h * HOUR).toISOString(),
    })),
  });
  // One edit of many: r0 an hour ahead; each version moves r1 a second later (two hours ahead).
  // From the test server's clock when the scenario starts (the scenarios before it move it on).
  let editedFrom = 0;
  const edited = (version: number): ReminderSchedule => ({
    version,
    title: 'Water the plants',
    reminders: [
      { id: 'r0', fireAt: new Date(editedFrom + HOUR).toISOString() },
      { id: 'r1', fireAt: new Date(editedFrom + 2 * HOUR + version * 1000).toISOString() },
    ],
  });
  const scenarios: Record<
    string,
    { start: ReminderSchedule | (() => Promise<ReminderSchedule>); then: Step }
  > = {
    'fires-once': { start: state(1, 1), then: async () => {} },
    'two-reminders-in-order': { start: state(1, 2, 1), then: async () => {} },
    'completed-before-time': {
      start: state(1, 1),
      then: async (h) => h.signal(completeSignal, { version: 2 }),
    },
    'rescheduled-later': {
      start: state(1, 1),
      then: async (h) => h.signal(rescheduleSignal, state(2, 3)),
    },
    'deleted-before-time': {
      start: state(1, 1),
      then: async (h) => h.signal(deleteSignal),
    },
    // r0 fires, then 600 edits in bursts of 50 (some may arrive while a run closes): it continues
    // as new, carrying what fired.
    'edited-many': {
      start: async () => {
        editedFrom = await env.currentTimeMs();
        return edited(1);
      },
      then: async (h, env) => {
        await env.sleep(90 * 60_000);
        for (let v = 2; v <= 601; v += 50) {
          const burst = Array.from({ length: 50 }, (_, i) => v + i);
          await Promise.all(burst.map((version) => h.signal(rescheduleSignal, edited(version))));
          await applied(h, edited(v + 49).reminders[1]!.fireAt);
        }
      },
    },
  };
  await worker.runUntil(async () => {
    for (const [name, s] of Object.entries(scenarios)) {
      if (!wanted(name)) continue;
      const handle = await env.client.workflow.signalWithStart(reminderWorkflow, {
        workflowId: `reminder:${prefix}${name}`,
        taskQueue,
        args: [{ taskId: `task-${name}`, userId: 'recorder' }],
        signal: rescheduleSignal,
        signalArgs: [typeof s.start === 'function' ? await s.start() : s.start],
      });
      await s.then(handle, env);
      await handle.result();
      const runs = await runsOf(env, handle.workflowId, handle.signaledRunId);
      for (const [i, runId] of runs.entries()) {
        const file = join(OUT, `${prefix}${name}${runs.length > 1 ? `-run-${i + 1}` : ''}.json`);
        const history = await env.client.workflow
          .getHandle(handle.workflowId, runId)
          .fetchHistory();
        writeFileSync(file, historyToJSON(history), { flag: 'wx' });
        console.log(`recorded ${file}`);
      }
    }
    // Digests: deferrals to one window (three signals, one digest), and one with nothing left.
    for (const name of ['digest-one-window', 'digest-empty']) {
      if (!wanted(name)) continue;
      const userId = `recorder-${name}`;
      const windowEnd = new Date(Date.now() + 8 * HOUR);
      const schedule = createScheduleDigest(env.client, taskQueue);
      for (let i = 0; i < 3; i++) await schedule(userId, windowEnd);
      const handle = env.client.workflow.getHandle(digestWorkflowId(userId, windowEnd));
      await handle.result();
      const file = join(OUT, `${prefix}${name}.json`);
      writeFileSync(file, historyToJSON(await handle.fetchHistory()), { flag: 'wx' });
      console.log(`recorded ${file}`);
    }
    // A series over three runs (continue-as-new after each occurrence): each run's history.
    if (!wanted('series')) return;
    const series = await env.client.workflow.start(seriesWorkflow, {
      workflowId: `series:${prefix}recorder`,
      taskQueue,
      args: [{ seriesId: `${prefix}recorder`, userId: 'recorder' }],
    });
    await series.result();
    for (const [i, runId] of (
      await runsOf(env, series.workflowId, series.firstExecutionRunId)
    ).entries()) {
      const file = join(OUT, `${prefix}series-run-${i + 1}.json`);
      const history = await env.client.workflow.getHandle(series.workflowId, runId).fetchHistory();
      writeFileSync(file, historyToJSON(history), { flag: 'wx' });
      console.log(`recorded ${file}`);
    }
  });
  await env.teardown();
}

/**
 * Waits until the workflow shows `fireAt` as its next fire time (it has applied the signal that
 * set it), so that the next burst does not keep every continue-as-new refused.
 */
async function applied(h: WorkflowHandle, fireAt: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    const shown = (await h.describe()).typedSearchAttributes.get(NextFireAtKey);
    if (shown?.toISOString() === fireAt) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the workflow never showed NextFireAt ${fireAt}`);
}

/** A workflow's runs, oldest first: each continued-as-new run names the next. */
async function runsOf(env: TestWorkflowEnvironment, workflowId: string, first: string) {
  const runs: string[] = [];
  for (let runId: string | undefined = first; runId;) {
    runs.push(runId);
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

main().catch(cliFatal);

import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeliverDigestToChannelsInput } from '../activities/channels.js';
import type { DeliverDigestInput } from '../activities/digests.js';
import type { DeliverReminderInput } from '../activities/reminders.js';
import { createScheduleDigest } from '../worker/schedule-digest.js';
import { digestWorkflowId } from '../workflows/digest-contract.js';
import { cliFatal } from '../platform/lifecycle.js';
import { ROOT } from '../stack/paths.js';
import { encodedSearchAttributes } from '../stack/temporal-search-attributes.js';
import {
  completeSignal,
  deleteSignal,
  rescheduleSignal,
  type ReminderState,
} from '../workflows/reminder-contract.js';
import { reminderWorkflow } from '../workflows/reminder.js';

// Records reminder and digest workflow histories for the replay test (test/workflows/replay.test.ts):
//   npm run histories:record -- <prefix>      e.g. v3-
// Run it when a workflow change is meant to change behaviour, and commit the new files next to
// the old ones: old histories must keep replaying (use `patched()` for incompatible changes).
// Existing files are never overwritten.

const OUT = join(ROOT, 'test/workflows/histories');
const HOUR = 3_600_000;
type Step = (
  h: { signal: (...a: never[]) => Promise<void> },
  env: TestWorkflowEnvironment,
) => Promise<void>;

async function main(): Promise<void> {
  const prefix = process.argv[2] ?? '';
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: join(ROOT, '.tools/bin/temporal-test-server') },
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
      async deliverToChannels(_: DeliverReminderInput) {
        return { email: 'off' as const, webhook: 'off' as const };
      },
      async deliverDigest(input: DeliverDigestInput) {
        return input.userId.endsWith('empty') ? null : { digestId: input.digestId, reminders: 2 };
      },
      async deliverDigestToChannels(_: DeliverDigestToChannelsInput) {
        return { email: 'off' as const, webhook: 'off' as const };
      },
    },
  });
  const state = (version: number, ...hours: number[]): ReminderState => ({
    version,
    title: 'Water the plants',
    reminders: hours.map((h, i) => ({
      id: `r${i}`,
      fireAt: new Date(Date.now() + h * HOUR).toISOString(),
    })),
  });
  const scenarios: Record<string, { start: ReminderState; then: Step }> = {
    'fires-once': { start: state(1, 1), then: async () => {} },
    'two-reminders-in-order': { start: state(1, 2, 1), then: async () => {} },
    'completed-before-time': {
      start: state(1, 1),
      then: async (h) => h.signal(completeSignal as never, { version: 2 } as never),
    },
    'rescheduled-later': {
      start: state(1, 1),
      then: async (h) => h.signal(rescheduleSignal as never, state(2, 3) as never),
    },
    'deleted-before-time': {
      start: state(1, 1),
      then: async (h) => h.signal(deleteSignal as never),
    },
  };
  await worker.runUntil(async () => {
    for (const [name, s] of Object.entries(scenarios)) {
      const handle = await env.client.workflow.signalWithStart(reminderWorkflow, {
        workflowId: `reminder:${prefix}${name}`,
        taskQueue,
        args: [{ taskId: `task-${name}`, userId: 'recorder' }],
        signal: rescheduleSignal,
        signalArgs: [s.start],
      });
      await s.then(handle as never, env);
      await handle.result();
      const file = join(OUT, `${prefix}${name}.json`);
      writeFileSync(file, historyToJSON(await handle.fetchHistory()), { flag: 'wx' });
      console.log(`recorded ${file}`);
    }
    // Digests: deferrals to one window (three signals, one digest), and one with nothing left.
    for (const name of ['digest-one-window', 'digest-empty']) {
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
  });
  await env.teardown();
}

main().catch(cliFatal);

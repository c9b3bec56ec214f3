import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliFatal } from '../platform/lifecycle.js';
import { toolsDir } from '../stack/paths.js';
import { searchAttributeDefinitions } from '../stack/temporal-search-attributes.js';
import { rescheduleSignal, type ReminderSchedule } from '../workflows/reminder-contract.js';
import { NextFireAtKey } from '../workflows/search-attributes.js';
import { argString, argValue } from './stats.js';

// Many edits to one task's reminder workflow (issue 11; not a test):
//   npx tsx bench/reminder-edits.ts [--edits 3000] [--mode sequential|flood]
//     [--workflows <a checkout>/workflows/index.ts]
// A Temporal dev server of its own (in memory, sticky workflow cache like production) and a
// worker in this process with fake delivery activities. `edits` reschedule signals go to one
// task, one at a time as the relay sends them (sequential) or 50 at once without a pause
// (flood); nothing comes due meanwhile. Once the workflow shows the last edit's time
// (NextFireAt), prints each run's history length and how many workflow tasks failed (closes the
// server refused because signals came in, or tasks it closed itself when too many piled up).
// --workflows measures other workflow code, e.g. a checkout from before a change.
// Last line: reminder_edits mode=… edits=… runs=… max_run_events=… failed_tasks=… seconds=…

const DAY = 86_400_000;

async function main(): Promise<void> {
  const edits = argValue('edits', 3000);
  const mode = argString('mode', ['sequential', 'flood'] as const, 'sequential');
  const at = process.argv.indexOf('--workflows');
  const workflowsPath =
    at >= 0
      ? process.argv[at + 1]!
      : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: join(toolsDir(), 'bin/temporal') },
      ip: '127.0.0.1',
      extraArgs: [
        '--headless',
        '--log-level',
        'error',
        ...Object.entries(searchAttributeDefinitions()).flatMap(([name, type]) => [
          '--search-attribute',
          `${name}=${type}`,
        ]),
      ],
    },
  });
  const taskQueue = 'reminder-edits';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: {
      async deliverReminder() {
        return 'sent' as const;
      },
      async fireReminder() {
        return { outcome: 'sent' as const, channels: false };
      },
      async deliverToChannels() {
        return { email: 'off' as const, webhook: 'off' as const };
      },
    },
  });
  const from = Date.now() + DAY;
  const edit = (version: number): ReminderSchedule => ({
    version,
    title: 'edited',
    reminders: [{ id: 'r', fireAt: new Date(from + version * 1000).toISOString() }],
  });
  await worker.runUntil(async () => {
    const t0 = Date.now();
    const handle = await env.client.workflow.signalWithStart('reminderWorkflow', {
      workflowId: 'reminder:bench-edits',
      taskQueue,
      args: [{ taskId: 'bench-edits', userId: 'bench' }],
      signal: rescheduleSignal,
      signalArgs: [edit(1)],
    });
    const burst = mode === 'flood' ? 50 : 1;
    for (let v = 2; v <= edits; v += burst) {
      const versions = Array.from({ length: Math.min(burst, edits + 1 - v) }, (_, i) => v + i);
      await Promise.all(versions.map((n) => handle.signal(rescheduleSignal, edit(n))));
    }
    const last = edit(edits).reminders[0]!.fireAt;
    for (let i = 0; i < 6000; i++) {
      const shown = (await handle.describe()).typedSearchAttributes.get(NextFireAtKey);
      if (shown?.toISOString() === last) break;
      if (i === 5999) throw new Error(`the workflow never showed the last edit (${last})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (Date.now() - t0) / 1000;
    const lengths: number[] = [];
    let failed = 0;
    for (let runId: string | undefined = handle.signaledRunId; runId && lengths.length < 1000;) {
      const run: WorkflowHandle = env.client.workflow.getHandle(handle.workflowId, runId);
      const events = (await run.fetchHistory()).events ?? [];
      lengths.push(events.length);
      failed += events.filter((e) => e.workflowTaskFailedEventAttributes).length;
      const next = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
      runId = next?.newExecutionRunId ?? undefined;
    }
    await handle.terminate('measured');
    console.log(`run lengths (events): ${lengths.join(', ')}`);
    console.log(
      `reminder_edits mode=${mode} edits=${edits} runs=${lengths.length} ` +
        `max_run_events=${Math.max(...lengths)} failed_tasks=${failed} seconds=${seconds.toFixed(1)}`,
    );
  });
  await env.teardown();
}

main().catch(cliFatal);

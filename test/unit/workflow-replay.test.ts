import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { HISTORY_EVENTS_LIMIT } from '../../workflows/reminder.js';

// Every recorded history must replay against today's workflow code: a change that would break
// running workflows (a different sequence of commands for the same events) fails here. Record
// new histories with `npm run histories:record`; keep the old ones.

// The replaying worker's own start/stop lines are noise in the test report.
Runtime.install({ logger: new DefaultLogger('WARN') });

const dir = fileURLToPath(new URL('../workflows/histories/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there are recorded histories to replay', () => {
  assert.ok(files.length >= 5, `only ${files.length} histories in ${dir}`);
});

test('the reminder histories cover continue-as-new and a long run from before it', () => {
  const events = (f: string) =>
    (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { events: { eventType: string }[] }).events;
  const reminders = files.filter((f) => !/digest|series/.test(f));
  const last = (f: string) => events(f).at(-1)?.eventType;
  // A run that continued as new, and the run after it (started from the state it carried).
  assert.ok(reminders.some((f) => last(f) === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'));
  assert.ok(reminders.some((f) => /-run-2\.json$/.test(f)));
  // Recorded before continue-as-new existed, already past the limit: its replay needs patched().
  assert.ok(
    reminders.some(
      (f) =>
        events(f).length > HISTORY_EVENTS_LIMIT &&
        last(f) === 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    ),
  );
});

test(
  'every recorded workflow history (reminder, digest, series) replays without nondeterminism',
  { timeout: 120_000 },
  async () => {
    const results = Worker.runReplayHistories(
      { workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)) },
      files.map((f) => ({
        workflowId: f,
        history: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown,
      })),
    );
    const failures: string[] = [];
    for await (const r of results)
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    assert.deepEqual(failures, []);
  },
);

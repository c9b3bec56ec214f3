import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import type { UserId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { insertSeries, occurrencesOf } from '../../db/series.js';
import { lockUser } from '../../db/users.js';
import type { SeriesId } from '../../domain/series.js';
import { rescheduleSignal } from '../../workflows/reminder-contract.js';
import { reminderWorkflow } from '../../workflows/reminder.js';
import { seriesWorkflowId } from '../../workflows/series-contract.js';
import { seriesWorkflow } from '../../workflows/series.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';

// A worker killed with SIGKILL in the middle of an activity's transaction, then restarted: the
// reminder is still delivered, the series' occurrence still created, each exactly once. The test runs its own worker process on a task
// queue of its own (no relay), so it can kill it without touching the stack's worker.
//
// To kill it at the right moment, the test holds a lock on the user's row: the delivery
// transaction has recorded the notification and then waits for that lock (taking the user's
// next event sequence). SIGKILL there leaves an uncommitted transaction, which PostgreSQL rolls
// back; Temporal retries the activity on the restarted worker once its 30 s attempt timeout ends.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const QUEUE = `crash-test-${Date.now().toString(36)}`;

let sql: Sql;
let admin: postgres.Sql;
let client: Client;
let connection: Connection;
const workers: ChildProcess[] = [];

async function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      ...process.env,
      DATABASE_URL: testEnv.databaseUrl,
      TEMPORAL_ADDRESS: testEnv.temporalAddress,
      TASK_QUEUE: QUEUE,
      RELAY: 'false',
      HEALTH_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    },
  });
  workers.push(child);
  return child;
}

before(async () => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-crash', max: 2 });
  admin = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
  connection = await Connection.connect({ address: testEnv.temporalAddress });
  client = new Client({ connection });
});
after(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await connection.close();
  await admin.end({ timeout: 2 });
  await sql.end({ timeout: 2 });
});

/**
 * Holds the user's row (NO KEY UPDATE: foreign-key checks pass, taking the next event sequence
 * waits), starts the workflow, waits until the worker's activity transaction is blocked on the
 * lock, SIGKILLs the worker, releases the lock, and starts a new worker.
 */
async function killMidTransaction(userId: UserId, start: () => Promise<void>): Promise<void> {
  const worker = await startWorker();
  const held = await admin.reserve();
  await held`BEGIN`;
  await held`SELECT 1 FROM users WHERE id = ${userId} FOR NO KEY UPDATE`;
  try {
    await start();
    await eventually(
      'the activity transaction waiting on the user lock',
      async () => {
        const rows = await admin`
          SELECT 1 FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO users%' AND application_name = 'tickler-worker'`;
        return rows.length > 0 ? true : undefined;
      },
      30_000,
    );
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
  } finally {
    await held`ROLLBACK`.catch(() => {});
    held.release();
  }
  await startWorker();
}

test(
  'SIGKILL during the delivery activity: delivered once after the restart',
  { timeout: 120_000 },
  async () => {
    const userId = `crash-${Date.now().toString(36)}` as UserId;
    // No reminder through the api: the stack's relay must not arm a workflow of its own.
    const task = await createTask({ sql, userId }, { title: 'Survive a crash', reminders: [] });
    const fireAt = new Date(Date.now() + 2_000);
    const reminderId = randomUUID();
    await sql`INSERT INTO reminders (id, task_id, user_id, at) VALUES (${reminderId}, ${task.id}, ${userId}, ${fireAt})`;
    const handle = client.workflow.getHandle(`crash-test:${task.id}`);
    await killMidTransaction(userId, async () => {
      await client.workflow.signalWithStart(reminderWorkflow, {
        workflowId: `crash-test:${task.id}`,
        taskQueue: QUEUE,
        args: [{ taskId: task.id, userId }],
        signal: rescheduleSignal,
        signalArgs: [
          {
            version: task.version,
            title: task.title,
            reminders: [{ id: reminderId, fireAt: fireAt.toISOString() }],
          },
        ],
      });
    });
    const [{ count: afterKill }] = await admin<
      [{ count: string }]
    >`SELECT count(*) FROM notifications WHERE task_id = ${task.id}`;
    assert.equal(Number(afterKill), 0, 'the killed attempt committed nothing');
    await eventually(
      'the workflow to complete after the retry',
      async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined),
      90_000,
    );
    const notifications = await admin`SELECT id FROM notifications WHERE task_id = ${task.id}`;
    const fired =
      await admin`SELECT id FROM outbox WHERE subject = ${task.id} AND event->>'type' = 'reminder.fired'`;
    assert.equal(notifications.length, 1, 'notified exactly once');
    assert.equal(fired.length, 1, 'one reminder.fired event');
  },
);

test(
  'SIGKILL during occurrence creation: exactly one occurrence after the restart',
  { timeout: 120_000 },
  async () => {
    const userId = `crash-series-${Date.now().toString(36)}` as UserId;
    await lockUser(sql, userId);
    // Written directly (no series.created event): only this test's worker runs its workflow.
    const series = await insertSeries(sql, {
      id: randomUUID() as SeriesId,
      userId,
      title: 'Water the plants',
      description: '',
      priority: 'NONE',
      tags: [],
      remindBeforeMs: [],
      recurrence: {
        rrule: 'FREQ=DAILY;COUNT=1',
        dtstart: `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T09:00:00`,
        timeZone: 'UTC',
        exdates: [],
      },
      mode: 'FIXED',
      maxOpen: 3,
      materializeAhead: 0,
    });
    const workflowId = `crash-test:${seriesWorkflowId(series.id)}`;
    // The occurrence's task is inserted; its task.created event then waits for the lock.
    await killMidTransaction(userId, async () => {
      await client.workflow.start(seriesWorkflow, {
        workflowId,
        taskQueue: QUEUE,
        args: [{ seriesId: series.id, userId }],
      });
    });
    await client.workflow.getHandle(workflowId).result();
    const occurrences = await occurrencesOf(sql, series.id);
    assert.equal(occurrences.length, 1, 'exactly one occurrence');
    const events = await admin`
      SELECT 1 FROM outbox WHERE subject = ${occurrences[0]!.taskId} AND event->>'type' = 'task.created'`;
    assert.equal(events.length, 1, 'one task.created event');
  },
);

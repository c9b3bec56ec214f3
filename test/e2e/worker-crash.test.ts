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
import { rescheduleSignal } from '../../workflows/reminder-contract.js';
import { reminderWorkflow } from '../../workflows/reminder.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';

// A worker killed with SIGKILL in the middle of the delivery activity, then restarted: the
// reminder is still delivered, exactly once. The test runs its own worker process on a task
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

    const worker = await startWorker();
    const lock = admin.reserve();
    const held = await lock;
    await held`BEGIN`;
    // NO KEY UPDATE: the notification's foreign key check (KEY SHARE) passes; the sequence
    // update after it waits.
    await held`SELECT 1 FROM users WHERE id = ${userId} FOR NO KEY UPDATE`;
    try {
      const handle = await client.workflow.signalWithStart(reminderWorkflow, {
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
      // The activity is inside its transaction, waiting for our lock.
      await eventually(
        'the delivery transaction waiting on the user lock',
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
      await held`COMMIT`;
      held.release();

      const [{ count: afterKill }] = await admin<
        [{ count: string }]
      >`SELECT count(*) FROM notifications WHERE task_id = ${task.id}`;
      assert.equal(Number(afterKill), 0, 'the killed attempt committed nothing');

      await startWorker();
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
    } finally {
      await held`ROLLBACK`.catch(() => {});
      held.release();
    }
  },
);

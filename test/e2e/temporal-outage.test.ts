import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTask } from '../../api/tasks/create-task.js';
import { createSql, type Sql } from '../../db/sql.js';
import type { UserId } from '../../domain/ids.js';
import { freePorts, isListening } from '../../stack/ports.js';
import { searchAttributeDefinitions } from '../../stack/temporal-search-attributes.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-db.js';

// No Temporal server at all while tasks are created: the api only writes the outbox. When a
// Temporal server and a worker (with its relay) come up, the relay arms the reminders: the one
// whose time passed during the outage fires at once, marked late; the later one fires on time.
// Its own database, Temporal server and worker, so the stack's relay never sees these tasks.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
let db: ThrowawayDatabase | undefined;
let sql: Sql | undefined;

after(async () => {
  for (const c of children.reverse()) c.kill('SIGKILL');
  await sql?.end({ timeout: 2 });
  await db?.drop();
});

test(
  'reminders created while Temporal is down are armed when it is back',
  { timeout: 120_000 },
  async () => {
    db = await createThrowawayDatabase('outage');
    sql = createSql(db.url, { applicationName: 'tickler-test-outage', max: 2 });
    const userId = `outage-${Date.now().toString(36)}` as UserId;
    const t0 = Date.now();
    const early = await createTask(
      { sql, userId },
      { title: 'during the outage', reminders: [{ offsetMs: null, at: new Date(t0 + 2_000) }] },
    );
    const later = await createTask(
      { sql, userId },
      { title: 'after it', reminders: [{ offsetMs: null, at: new Date(t0 + 30_000) }] },
    );

    // Down for a while: the first reminder's time passes with nothing running.
    await new Promise((r) => setTimeout(r, 5_000));
    const [temporalPort, uiPort, httpPort, metricsPort, healthPort, deadDaprPort] =
      await freePorts(6);
    const attrs = Object.entries(searchAttributeDefinitions()).flatMap(([k, v]) => [
      '--search-attribute',
      `${k}=${v}`,
    ]);
    children.push(
      spawn(
        testEnv.temporalCli,
        [
          'server',
          'start-dev',
          '--headless',
          '--ip',
          '127.0.0.1',
          '--port',
          String(temporalPort),
          '--ui-port',
          String(uiPort),
          '--http-port',
          String(httpPort),
          '--metrics-port',
          String(metricsPort),
          '--log-level',
          'error',
          ...attrs,
        ],
        { stdio: 'ignore' },
      ),
    );
    await eventually(
      'the Temporal server to listen',
      async () => ((await isListening(temporalPort!)) ? true : undefined),
      30_000,
    );
    children.push(
      spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
        cwd: ROOT,
        stdio: 'ignore',
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
          HEALTH_PORT: String(healthPort),
          // No sidecar here: publishing fails and is retried; the Temporal signals go out first.
          DAPR_HTTP_PORT: String(deadDaprPort),
          REMINDER_LATE_AFTER: 'PT1S',
          LOG_LEVEL: 'error',
        },
      }),
    );

    const delivered = (taskId: string) =>
      eventually(
        `the reminder of ${taskId}`,
        async () => {
          const rows = await sql!<{ late: boolean; missed: boolean; deliveredAt: Date }[]>`
          SELECT late, missed, delivered_at AS "deliveredAt" FROM notifications WHERE task_id = ${taskId}`;
          return rows.length ? rows : undefined;
        },
        60_000,
      );
    const [first] = await delivered(early.id);
    assert.equal(first!.late, true, 'delivered after its time: marked late');
    assert.equal(first!.missed, false, 'within the grace period: sent, not missed');
    const [second] = await delivered(later.id);
    assert.equal(
      second!.late,
      false,
      `armed before its time: on time (delivered ${second!.deliveredAt.getTime() - (t0 + 30_000)} ms after)`,
    );
    assert.ok(second!.deliveredAt.getTime() >= t0 + 30_000, 'not early');
    await new Promise((r) => setTimeout(r, 1_000));
    const [{ count }] = await sql<[{ count: string }]>`SELECT count(*) FROM notifications`;
    assert.equal(Number(count), 2, 'each exactly once');
  },
);

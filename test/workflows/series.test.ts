import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSeriesActivities } from '../../activities/series.js';
import { addExdate, insertSeries, occurrencesOf, updateSeries } from '../../db/series.js';
import { createSql, type Sql } from '../../db/sql.js';
import { lockUser } from '../../db/users.js';
import type { UserId } from '../../domain/ids.js';
import type { RecurrenceMode } from '../../domain/recurrence/rule.js';
import type { SeriesId } from '../../domain/series.js';
import {
  occurrenceCompletedSignal,
  occurrenceDeletedSignal,
  pauseSignal,
  resumeSignal,
  seriesWorkflowId,
} from '../../workflows/series-contract.js';
import { seriesWorkflow } from '../../workflows/series.js';
import { testEnv } from '../support/env.js';
import { startTimeSkipping } from '../support/time-skipping.js';

// The series workflow on the time-skipping test server with its real activities against the
// stack's database: days pass in milliseconds. Series rows are written directly (no
// series.created event), so only this test's workflow acts on them.

const DAY = 86_400_000;
const bounded = { timeout: 60_000 };
const run = Date.now().toString(36);
let n = 0;

let sql: Sql;
let env: TestWorkflowEnvironment;
let taskQueue: string;
let stop: () => Promise<void>;

before(async () => {
  sql = createSql(testEnv.databaseUrl, { applicationName: 'tickler-test-series-wf', max: 4 });
  ({ env, taskQueue, stop } = await startTimeSkipping(
    createSeriesActivities({ sql }),
    'series-test',
  ));
});
after(async () => {
  await stop?.();
  await sql?.end({ timeout: 2 });
});

/** A series whose first occurrence is tomorrow (workflow time) at 09:00 UTC. */
async function newSeries(rrule: string, mode: RecurrenceMode = 'FIXED', maxOpen = 10) {
  const userId = `series-wf-${run}-${++n}` as UserId;
  await lockUser(sql, userId);
  const tomorrow = new Date((await env.currentTimeMs()) + DAY).toISOString().slice(0, 10);
  const series = await insertSeries(sql, {
    id: randomUUID() as SeriesId,
    userId,
    title: `series ${n}`,
    description: '',
    priority: 'NONE',
    tags: [],
    remindBeforeMs: [],
    recurrence: { rrule, dtstart: `${tomorrow}T09:00:00`, timeZone: 'UTC', exdates: [] },
    mode,
    maxOpen,
    materializeAhead: 0,
  });
  const handle = await env.client.workflow.start(seriesWorkflow, {
    workflowId: seriesWorkflowId(series.id),
    taskQueue,
    args: [{ seriesId: series.id, userId }],
  });
  return { series, handle, first: Date.parse(`${tomorrow}T09:00:00Z`) };
}

const startsOf = async (seriesId: string) =>
  (await occurrencesOf(sql, seriesId)).filter((o) => !o.deleted).map((o) => o.start.getTime());

/** Polls (in real time) until the series has `count` live occurrences. */
async function untilCreated(seriesId: string, count: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const starts = await startsOf(seriesId);
    if (starts.length >= count) return starts;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`series ${seriesId} never reached ${count} occurrences`);
}

describe('series workflow', () => {
  test(
    'COUNT=5: exactly five occurrences, one a day at 09:00, then it completes',
    bounded,
    async () => {
      const { series, handle, first } = await newSeries('FREQ=DAILY;COUNT=5');
      await handle.result();
      assert.deepEqual(
        await startsOf(series.id),
        [0, 1, 2, 3, 4].map((i) => first + i * DAY),
      );
      const [row] = await sql<
        { state: string }[]
      >`SELECT state FROM series WHERE id = ${series.id}`;
      assert.equal(row!.state, 'ENDED');
    },
  );

  test('UNTIL is respected: an occurrence at UNTIL is the last', bounded, async () => {
    const { series, handle, first } = await newSeries('FREQ=DAILY');
    const until = new Date(first + 2 * DAY).toISOString().replace(/[-:]|\.\d+/g, '');
    await updateSeries(sql, series.id, { rrule: `FREQ=DAILY;UNTIL=${until}` });
    await handle.result();
    assert.deepEqual(await startsOf(series.id), [first, first + DAY, first + 2 * DAY]);
  });

  test('paused for ten days, then resumed: no burst of missed occurrences', bounded, async () => {
    const { series, handle, first } = await newSeries('FREQ=DAILY', 'FIXED', 20);
    await untilCreated(series.id, 1);
    await updateSeries(sql, series.id, { state: 'PAUSED' });
    await handle.signal(pauseSignal, { version: 2 });
    await env.sleep(10 * DAY);
    const resumedAt = await env.currentTimeMs();
    await updateSeries(sql, series.id, { state: 'ACTIVE', notBefore: new Date(resumedAt) });
    await handle.signal(resumeSignal, { version: 3 });
    // Time moves on to the next slot after the resume (the test server skips only while waited on).
    await env.sleep(DAY);
    const starts = await untilCreated(series.id, 2);
    assert.equal(starts.length, 2, 'one new occurrence, not ten');
    assert.equal(starts[0], first);
    assert.ok(starts[1]! > resumedAt, 'the next one after the resume, not a missed one');
    assert.ok(starts[1]! - resumedAt <= DAY);
    await handle.terminate();
  });

  test('the completed signal delivered twice: one next occurrence', bounded, async () => {
    const { series, handle, first } = await newSeries('FREQ=DAILY;INTERVAL=2', 'AFTER_COMPLETION');
    await untilCreated(series.id, 1);
    const completedAt = new Date(await env.currentTimeMs());
    const [occurrence] = await occurrencesOf(sql, series.id);
    await sql`UPDATE tasks SET status = 'COMPLETED', completed_at = ${completedAt}
              WHERE id = ${occurrence!.taskId}`;
    await handle.signal(occurrenceCompletedSignal, { taskId: occurrence!.taskId });
    await handle.signal(occurrenceCompletedSignal, { taskId: occurrence!.taskId });
    const starts = await untilCreated(series.id, 2);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await startsOf(series.id), starts);
    assert.equal(starts.length, 2);
    assert.ok(starts[0] === first && starts[1]! > completedAt.getTime());
    await handle.terminate();
  });

  test('deleting one occurrence (an EXDATE) leaves the series running', bounded, async () => {
    const { series, handle, first } = await newSeries('FREQ=DAILY');
    await untilCreated(series.id, 1);
    const [occurrence] = await occurrencesOf(sql, series.id);
    await sql`UPDATE tasks SET deleted_at = now() WHERE id = ${occurrence!.taskId}`;
    await addExdate(sql, series.id, occurrence!.start);
    await handle.signal(occurrenceDeletedSignal, { taskId: occurrence!.taskId });
    assert.deepEqual(await untilCreated(series.id, 1), [first + DAY]);
    await handle.terminate();
  });
});

import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import { reminderWorkflowId } from '../workflows/reminder-contract.js';
import { eventMs, stageLines, type Stage } from './stage-table.js';

// Where arming a reminder workflow spends its time, from timestamps the code already writes:
// the task.created event's outbox row (the create's transaction), the relay's claim of its
// signal delivery (outbox_deliveries.delivered_at is the relay transaction's start), and the
// reminder workflow's history (the Temporal server's clock). One machine, one clock.

type Instant = 'created' | 'claimed' | 'started' | 'taskStarted' | 'taskCompleted';

export const ARMING_STAGES: readonly Stage<Instant>[] = [
  ['create committed → relay claimed it', 'created', 'claimed'],
  ['relay claimed → workflow started (signalWithStart)', 'claimed', 'started'],
  ['workflow started → first workflow task started', 'started', 'taskStarted'],
  ['first workflow task started → completed (timer set)', 'taskStarted', 'taskCompleted'],
  ['create committed → sleeping', 'created', 'taskCompleted'],
];

/** The relay's batches for the signal destination, and the per-stage breakdown of `sample`. */
export async function armingBreakdown(
  sql: postgres.Sql,
  temporal: Client,
  sample: number,
): Promise<string[]> {
  const [batches] = await sql<[{ batches: string; rows: string; spanS: number }]>`
    SELECT count(DISTINCT delivered_at) AS batches, count(*) AS rows,
           extract(epoch FROM max(delivered_at) - min(delivered_at)) AS "spanS"
    FROM outbox_deliveries WHERE destination = 'signal' AND delivered_at IS NOT NULL`;
  const rows = await sql<{ taskId: string; created: number; claimed: number }[]>`
    SELECT o.subject AS "taskId",
           extract(epoch FROM o.created_at) * 1000 AS created,
           extract(epoch FROM d.delivered_at) * 1000 AS claimed
    FROM outbox o JOIN outbox_deliveries d ON d.event_id = o.id AND d.destination = 'signal'
    WHERE o.event->>'type' = 'task.created' AND d.delivered_at IS NOT NULL
    ORDER BY o.position`;
  const step = Math.max(1, Math.floor(rows.length / sample));
  const picked = rows.filter((_, i) => i % step === 0).slice(0, sample);
  const records = [];
  for (const r of picked) {
    const events =
      (await temporal.workflow.getHandle(reminderWorkflowId(r.taskId)).fetchHistory()).events ?? [];
    const started = events.find((e) => e.workflowExecutionStartedEventAttributes);
    const taskStarted = events.findIndex((e) => e.workflowTaskStartedEventAttributes);
    const taskCompleted = events
      .slice(taskStarted + 1)
      .find((e) => e.workflowTaskCompletedEventAttributes);
    records.push({
      created: Number(r.created),
      claimed: Number(r.claimed),
      started: started && eventMs(started),
      taskStarted: taskStarted < 0 ? undefined : eventMs(events[taskStarted]!),
      taskCompleted: taskCompleted && eventMs(taskCompleted),
    });
  }
  const n = Number(batches.batches);
  return [
    `relay (signal): ${batches.rows} rows in ${n} batches (${(Number(batches.rows) / Math.max(1, n)).toFixed(1)} rows each), claims spread over ${Number(batches.spanS).toFixed(1)} s`,
    ...stageLines(
      `per-stage breakdown of arming ${records.length} workflows`,
      ARMING_STAGES,
      records,
    ),
  ];
}

import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import { seriesWorkflowId } from '../workflows/series-contract.js';
import { eventMs, stageLines, type Stage } from './stage-table.js';

// Where the time between completing a series' occurrence and its next occurrence goes, from
// timestamps the code already writes: the task.completed event's outbox row (the completion's
// transaction), the relay's claim of its signal delivery (outbox_deliveries.delivered_at is the
// relay transaction's start), the series workflow's history (the Temporal server's clock), the
// next occurrence's created_at (the occurrence activity's transaction), and the benchmark's own
// clock for the response and for the poll that saw it. One machine, one clock.

type Instant =
  | 'responded'
  | 'committed'
  | 'claimed'
  | 'signaled'
  | 'taskStarted'
  | 'created'
  | 'taskCompleted'
  | 'visible';

export const COMPLETION_STAGES: readonly Stage<Instant>[] = [
  ['completion committed → relay claimed it', 'committed', 'claimed'],
  ['relay claimed → series workflow signalled', 'claimed', 'signaled'],
  ['signalled → workflow task started', 'signaled', 'taskStarted'],
  ['workflow task started → next occurrence committed', 'taskStarted', 'created'],
  ['next occurrence committed → workflow task completed', 'created', 'taskCompleted'],
  ['next occurrence committed → seen by the client', 'created', 'visible'],
  ['completion committed → seen by the client', 'committed', 'visible'],
  ['completeTask response → seen by the client', 'responded', 'visible'],
];

/** One measured completion: the series, the occurrence completed, and the benchmark's times. */
export interface Completion {
  seriesId: string;
  taskId: string;
  responded: number;
  visible: number;
}

/** The per-stage breakdown of `sample` completions spread over the run, as printable lines. */
export async function completionBreakdown(
  sql: postgres.Sql,
  temporal: Client,
  completions: Completion[],
  sample: number,
): Promise<string[]> {
  const step = Math.max(1, Math.floor(completions.length / sample));
  const picked = completions.filter((_, i) => i % step === 0).slice(0, sample);
  const records = [];
  for (const c of picked) {
    const [row] = await sql<{ committed: number; claimed: number | null; created: number }[]>`
      SELECT extract(epoch FROM o.created_at) * 1000 AS committed,
             extract(epoch FROM d.delivered_at) * 1000 AS claimed,
             (SELECT extract(epoch FROM max(t.created_at)) * 1000 FROM tasks t
              WHERE t.series_id = ${c.seriesId}) AS created
      FROM outbox o JOIN outbox_deliveries d ON d.event_id = o.id AND d.destination = 'signal'
      WHERE o.subject = ${c.taskId} AND o.event->>'type' = 'task.completed'`;
    if (!row) continue;
    // The signal landed in the run that created the next occurrence and then continued as new.
    const handle = temporal.workflow.getHandle(seriesWorkflowId(c.seriesId));
    const latest = await handle.fetchHistory();
    const previousRun =
      latest.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    const events = previousRun
      ? ((
          await temporal.workflow
            .getHandle(seriesWorkflowId(c.seriesId), previousRun)
            .fetchHistory()
        ).events ?? [])
      : [];
    const signaled = events.findIndex(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'occurrenceCompleted',
    );
    const after = signaled < 0 ? [] : events.slice(signaled + 1);
    const taskStarted = after.find((e) => e.workflowTaskStartedEventAttributes);
    const taskCompleted = after.findLast((e) => e.workflowTaskCompletedEventAttributes);
    records.push({
      responded: c.responded,
      visible: c.visible,
      committed: Number(row.committed),
      claimed: row.claimed === null ? undefined : Number(row.claimed),
      created: Number(row.created),
      signaled: signaled < 0 ? undefined : eventMs(events[signaled]!),
      taskStarted: taskStarted && eventMs(taskStarted),
      taskCompleted: taskCompleted && eventMs(taskCompleted),
    });
  }
  return stageLines(
    `per-stage breakdown of ${records.length} completions`,
    COMPLETION_STAGES,
    records,
  );
}

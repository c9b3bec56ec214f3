import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import { reminderWorkflowId } from '../workflows/reminder-contract.js';
import { quantile, sortNumbers } from './stats.js';

// Where the time of one reminder fire goes, stage by stage, from timestamps the code already
// writes: the reminder's due time and delivery (notifications), its reminder workflow's history
// (the Temporal server's clock), the reminder.fired event's publish by the relay
// (outbox_deliveries) and its arrival in the audit log (audit.events, what a client's history
// reads; the sync service's subscribers get the same Kafka message). One machine, one clock.

export const STAGES = [
  ['due → timer fired', 'due', 'timerFired'],
  ['timer fired → workflow task started', 'timerFired', 'taskStarted'],
  ['workflow task started → activity scheduled', 'taskStarted', 'activityScheduled'],
  ['activity scheduled → activity started', 'activityScheduled', 'activityStarted'],
  ['activity started → delivery committed', 'activityStarted', 'delivered'],
  // The same span in both shapes; the only one after the task for a local activity (no events).
  ['workflow task started → delivery committed', 'taskStarted', 'delivered'],
  ['delivery committed → workflow task completed', 'delivered', 'taskCompleted'],
  ['delivery committed → event published (relay)', 'delivered', 'published'],
  ['event published → in the audit log', 'published', 'audited'],
  ['due → delivery committed (lateness)', 'due', 'delivered'],
  ['due → in the audit log', 'due', 'audited'],
] as const;

type Instant = (typeof STAGES)[number][1 | 2];
export type FireTimes = Partial<Record<Instant, number>>;

interface Row {
  taskId: string;
  due: number;
  delivered: number;
  published: number | null;
  audited: number | null;
}

interface HistoryEvent {
  eventId?: unknown;
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  timerFiredEventAttributes?: unknown;
  workflowTaskStartedEventAttributes?: unknown;
  workflowTaskCompletedEventAttributes?: unknown;
  activityTaskScheduledEventAttributes?: {
    activityType?: { name?: string | null } | null;
  } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: { data?: Uint8Array | string | null }[] | null }> | null;
  } | null;
}

/** A local activity's marker names its type and, on the worker's clock, when it was scheduled. */
function localActivity(e: HistoryEvent): { type?: string; scheduledMs?: number } | undefined {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== 'core_local_activity') return undefined;
  const data = m.details?.data?.payloads?.[0]?.data;
  if (!data) return {};
  const text =
    typeof data === 'string'
      ? Buffer.from(data, 'base64').toString()
      : Buffer.from(data).toString();
  const d = JSON.parse(text) as {
    activity_type?: string;
    original_schedule_time?: { seconds?: number; nanos?: number };
  };
  const t = d.original_schedule_time;
  return {
    type: d.activity_type,
    scheduledMs: t ? (t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : undefined,
  };
}

/**
 * The history instants of a reminder workflow's fire: `deliverReminder` as an activity (runs
 * recorded before one-task-fire-v1), or `fireReminder` as a local activity (one marker in the
 * fire's workflow task; scheduled on the worker's clock, same machine; no start event).
 */
export function historyTimes(events: HistoryEvent[]): FireTimes {
  const s = events.findIndex(
    (e) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverReminder' ||
      localActivity(e)?.type === 'fireReminder',
  );
  if (s < 0) return {};
  const scheduled = events[s]!;
  const local = localActivity(scheduled);
  // The marker is written with the task's completion: the task is the last one started before it.
  const fired = events.slice(0, s).findLast((e) => e.timerFiredEventAttributes);
  const firedAt = fired ? events.indexOf(fired) : -1;
  const task = events.slice(firedAt + 1, s).find((e) => e.workflowTaskStartedEventAttributes);
  const started = local
    ? undefined
    : events
        .slice(s + 1)
        .find(
          (e) =>
            String(e.activityTaskStartedEventAttributes?.scheduledEventId) ===
            String(scheduled.eventId),
        );
  const completed = local
    ? events.slice(0, s).findLast((e) => e.workflowTaskCompletedEventAttributes)
    : undefined;
  // Seconds are a Long from the client and a number in tests; both print as decimal digits.
  const at = (e: HistoryEvent | undefined) =>
    e?.eventTime
      ? Number(String(e.eventTime.seconds ?? 0)) * 1000 + Math.round((e.eventTime.nanos ?? 0) / 1e6)
      : undefined;
  return {
    timerFired: at(fired),
    taskStarted: at(task),
    activityScheduled: local ? local.scheduledMs : at(scheduled),
    activityStarted: at(started),
    ...(local ? { taskCompleted: at(completed) } : {}),
  };
}

/** p50/p99 per stage over `sample` fires spread over the run, as printable lines. */
export async function fireBreakdown(
  sql: postgres.Sql,
  temporal: Client,
  sample: number,
): Promise<string[]> {
  const rows = await sql<Row[]>`
    SELECT n.task_id AS "taskId",
           extract(epoch FROM n.fire_at) * 1000 AS due,
           extract(epoch FROM n.delivered_at) * 1000 AS delivered,
           extract(epoch FROM d.delivered_at) * 1000 AS published,
           extract(epoch FROM a.recorded_at) * 1000 AS audited
    FROM notifications n
    JOIN outbox o ON o.subject = n.task_id AND o.event->>'type' = 'reminder.fired'
    LEFT JOIN outbox_deliveries d ON d.event_id = o.id AND d.destination = 'publish'
    LEFT JOIN audit.events a ON a.event_id = o.id
    ORDER BY n.fire_at`;
  const step = Math.max(1, Math.floor(rows.length / sample));
  const picked = rows.filter((_, i) => i % step === 0).slice(0, sample);
  const fires: FireTimes[] = [];
  for (const r of picked) {
    const history = await temporal.workflow.getHandle(reminderWorkflowId(r.taskId)).fetchHistory();
    fires.push({
      due: Number(r.due),
      delivered: Number(r.delivered),
      published: r.published === null ? undefined : Number(r.published),
      audited: r.audited === null ? undefined : Number(r.audited),
      ...historyTimes(history.events ?? []),
    });
  }
  const lines = [`per-stage breakdown of ${fires.length} fires (ms, p50 / p99 / max):`];
  for (const [name, from, to] of STAGES) {
    const spans = sortNumbers(
      fires.flatMap((f) =>
        f[from] === undefined || f[to] === undefined ? [] : [f[to]! - f[from]!],
      ),
    );
    const fmt = (v: number) => (Number.isNaN(v) ? '–' : String(Math.round(v)));
    lines.push(
      `  ${name.padEnd(48)} ${fmt(quantile(spans, 0.5)).padStart(6)} / ${fmt(quantile(spans, 0.99)).padStart(6)} / ${fmt(spans.at(-1) ?? NaN).padStart(6)}  (n=${spans.length})`,
    );
  }
  return lines;
}

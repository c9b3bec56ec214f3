import { z } from 'zod';
import { EventId, TaskId, UserId } from './ids.js';
import { IsoInstant } from './time/instant.js';
import type { Series } from './series.js';
import { Priority, TaskStatus, type Task } from './task.js';

// Event contract: one CloudEvents 1.0 envelope, a versioned payload per type, each type bound
// to one topic. Producers build events only through `buildEvent`; consumers only accept them
// through `parseEvent`, so a payload is described exactly once.

export const Topic = {
  taskEvents: 'task-events',
  taskUpdates: 'task-updates',
  reminders: 'reminders',
} as const;
export type Topic = (typeof Topic)[keyof typeof Topic];

const IsoTime = IsoInstant;

export const ReminderSnapshotV1 = z.object({
  id: z.string(),
  offsetMs: z.number().int().nullable(),
  at: IsoTime.nullable(),
  snoozedUntil: IsoTime.nullable(),
  dismissed: z.boolean(),
  armedAt: IsoTime,
});
export type ReminderSnapshotV1 = z.infer<typeof ReminderSnapshotV1>;

export const TaskSnapshotV1 = z.object({
  id: TaskId,
  title: z.string(),
  description: z.string(),
  priority: Priority,
  tags: z.array(z.string()),
  status: TaskStatus,
  dueAt: IsoTime.nullable(),
  allDay: z.boolean(),
  /**
   * Added to v1 compatibly (optional): events written before tasks could be muted lack it,
   * which means false. Every new event carries it.
   */
  muted: z.boolean().optional(),
  reminders: z.array(ReminderSnapshotV1),
  completedAt: IsoTime.nullable(),
  seriesId: z.string().nullable(),
  version: z.number().int(),
});
export type TaskSnapshotV1 = z.infer<typeof TaskSnapshotV1>;

/** The task as it is after the change; every task event carries it. */
export const TaskStateV1 = z.object({ task: TaskSnapshotV1 });
export type TaskStateV1 = z.infer<typeof TaskStateV1>;

const Change = z.object({ before: z.unknown(), after: z.unknown() });
/** task.updated: the task after the change, and each changed field before and after. */
export const TaskUpdatedV1 = z.object({
  task: TaskSnapshotV1,
  changes: z.record(z.string(), Change),
});
export type TaskUpdatedV1 = z.infer<typeof TaskUpdatedV1>;

/**
 * Added to the reminder events' v1 compatibly (optional; absent in events written before them).
 * A client shows an in-app notification for an event only when `inApp` is not false; the event
 * itself still flows, since the reminder's state changed (data sync, not a notification).
 */
const SilentMarksV1 = z.object({
  /** false: no in-app notification was made (the user's inApp preference is off, or muted). */
  inApp: z.boolean().optional(),
  /** true: the task was muted when the reminder came due; it went to no channel at all. */
  muted: z.boolean().optional(),
});

export const ReminderFiredV1 = z.object({
  taskId: TaskId,
  reminderId: z.string(),
  title: z.string(),
  /** When the reminder was scheduled to fire. */
  fireAt: IsoTime,
  /** When it was actually delivered. */
  firedAt: IsoTime,
  /** Delivered after its time (the system was down), within the grace period. */
  late: z.boolean(),
  ...SilentMarksV1.shape,
});
export type ReminderFiredV1 = z.infer<typeof ReminderFiredV1>;

/** A reminder whose time passed beyond the grace period while the system was down. */
export const ReminderMissedV1 = z.object({
  taskId: TaskId,
  reminderId: z.string(),
  title: z.string(),
  fireAt: IsoTime,
  recordedAt: IsoTime,
  inApp: SilentMarksV1.shape.inApp,
});

export const DigestItemV1 = z.object({
  taskId: TaskId,
  reminderId: z.string(),
  title: z.string(),
  /** When the reminder was due, inside the quiet hours. */
  fireAt: IsoTime,
});

/**
 * The reminders that came due during the user's quiet hours, delivered together when they end.
 * The event's subject is the digest id.
 */
export const ReminderDigestV1 = z.object({
  digestId: z.uuid(),
  /** The end of the quiet hours it closes. */
  windowEnd: IsoTime,
  deliveredAt: IsoTime,
  reminders: z.array(DigestItemV1).min(1),
  inApp: SilentMarksV1.shape.inApp,
});
export type ReminderDigestV1 = z.infer<typeof ReminderDigestV1>;

/** A reminder snoozed or dismissed: the task as it is now, and which reminder. */
export const ReminderChangedV1 = z.object({ task: TaskSnapshotV1, reminderId: z.string() });
export type ReminderChangedV1 = z.infer<typeof ReminderChangedV1>;

export const SeriesSnapshotV1 = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  priority: Priority,
  tags: z.array(z.string()),
  remindBeforeMs: z.array(z.number().int()),
  rrule: z.string(),
  /** Local date-time in timeZone. */
  dtstart: z.string(),
  timeZone: z.string(),
  exdates: z.array(IsoTime),
  mode: z.enum(['FIXED', 'AFTER_COMPLETION']),
  state: z.enum(['ACTIVE', 'PAUSED', 'STOPPED', 'ENDED']),
  maxOpen: z.number().int(),
  materializeAhead: z.number().int(),
  version: z.number().int(),
});
export type SeriesSnapshotV1 = z.infer<typeof SeriesSnapshotV1>;

/** What a series.updated event did; the series workflow reacts to each. */
export const SeriesChangeKind = z.enum(['EDITED', 'PAUSED', 'RESUMED', 'SKIPPED', 'STOPPED']);
export type SeriesChangeKind = z.infer<typeof SeriesChangeKind>;

/** series.*: the series as it is after the change; the subject is the series id. */
export const SeriesStateV1 = z.object({ series: SeriesSnapshotV1 });
export const SeriesUpdatedV1 = z.object({
  series: SeriesSnapshotV1,
  change: SeriesChangeKind,
  changes: z.record(z.string(), Change),
});
export type SeriesUpdatedV1 = z.infer<typeof SeriesUpdatedV1>;

export const eventCatalog = {
  'task.created': { topic: Topic.taskEvents, version: 1, data: TaskStateV1 },
  'task.updated': { topic: Topic.taskEvents, version: 1, data: TaskUpdatedV1 },
  'task.completed': { topic: Topic.taskEvents, version: 1, data: TaskStateV1 },
  'task.reopened': { topic: Topic.taskEvents, version: 1, data: TaskStateV1 },
  'task.deleted': { topic: Topic.taskEvents, version: 1, data: TaskStateV1 },
  'reminder.fired': { topic: Topic.reminders, version: 1, data: ReminderFiredV1 },
  'reminder.missed': { topic: Topic.reminders, version: 1, data: ReminderMissedV1 },
  'reminder.snoozed': { topic: Topic.reminders, version: 1, data: ReminderChangedV1 },
  'reminder.dismissed': { topic: Topic.reminders, version: 1, data: ReminderChangedV1 },
  'reminder.digest': { topic: Topic.reminders, version: 1, data: ReminderDigestV1 },
  'series.created': { topic: Topic.taskEvents, version: 1, data: SeriesStateV1 },
  'series.updated': { topic: Topic.taskEvents, version: 1, data: SeriesUpdatedV1 },
} as const;
export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]['data']>;

const Envelope = z.object({
  specversion: z.literal('1.0'),
  id: EventId,
  source: z.string(),
  type: z.string(),
  time: IsoTime,
  /**
   * What the event is about: the task for task.* and reminder.* events, the digest for
   * reminder.digest, the series for series.*. Events of one subject are delivered in order.
   */
  subject: z.uuid(),
  userid: UserId,
  sequence: z.coerce.number().int().positive(),
  dataversion: z.coerce.number().int().positive(),
  datacontenttype: z.literal('application/json'),
  traceparent: z.string().optional(),
  data: z.unknown(),
});

export type TicklerEvent = {
  [T in EventType]: Omit<z.infer<typeof Envelope>, 'type' | 'data'> & {
    type: T;
    data: EventData<T>;
  };
}[EventType];

export interface NewEvent<T extends EventType> {
  id: EventId;
  type: T;
  source: string;
  time: Date;
  subject: string;
  userId: UserId;
  sequence: number;
  data: EventData<T>;
  traceparent?: string | undefined;
}

export function buildEvent<T extends EventType>(e: NewEvent<T>): TicklerEvent {
  const envelope = {
    specversion: '1.0' as const,
    id: e.id,
    source: e.source,
    type: e.type,
    time: e.time.toISOString(),
    subject: e.subject,
    userid: e.userId,
    sequence: e.sequence,
    dataversion: eventCatalog[e.type].version,
    datacontenttype: 'application/json' as const,
    ...(e.traceparent ? { traceparent: e.traceparent } : {}),
    data: eventCatalog[e.type].data.parse(e.data),
  };
  return envelope as TicklerEvent;
}

export const topicOf = (type: EventType): Topic => eventCatalog[type].topic;

/** Who wrote an event: the api (a user's own request) or the worker (reminders, series, digests). */
export const EventSource = { api: 'tickler/api', worker: 'tickler/worker' } as const;

/** The task an event is about; null when its subject is a series or a digest. */
export const taskIdOf = (e: TicklerEvent): string | null =>
  e.type.startsWith('task.') || (e.type.startsWith('reminder.') && e.type !== 'reminder.digest')
    ? e.subject
    : null;

const isEventType = (t: string): t is EventType => Object.hasOwn(eventCatalog, t);

export type ParsedEvent = { ok: true; event: TicklerEvent } | { ok: false; reason: string };

/** Parses an incoming CloudEvent (extra attributes added by Dapr are ignored). */
export function parseEvent(raw: unknown): ParsedEvent {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success)
    return { ok: false, reason: `bad envelope: ${z.prettifyError(envelope.error)}` };
  const { type, dataversion, data } = envelope.data;
  if (!isEventType(type)) return { ok: false, reason: `unknown event type "${type}"` };
  const entry = eventCatalog[type];
  if (dataversion !== entry.version) {
    return {
      ok: false,
      reason: `${type} has dataversion ${dataversion}; this build reads ${entry.version}`,
    };
  }
  const payload = entry.data.safeParse(data);
  if (!payload.success)
    return { ok: false, reason: `bad ${type} data: ${z.prettifyError(payload.error)}` };
  return { ok: true, event: { ...envelope.data, type, data: payload.data } as TicklerEvent };
}

export const toTaskSnapshot = (t: Task): TaskSnapshotV1 => ({
  id: t.id,
  title: t.title,
  description: t.description,
  priority: t.priority,
  tags: t.tags,
  status: t.status,
  dueAt: t.dueAt?.toISOString() ?? null,
  allDay: t.allDay,
  muted: t.muted,
  reminders: t.reminders.map((r) => ({
    id: r.id,
    offsetMs: r.offsetMs,
    at: r.at?.toISOString() ?? null,
    snoozedUntil: r.snoozedUntil?.toISOString() ?? null,
    dismissed: r.dismissedAt !== null,
    armedAt: r.armedAt.toISOString(),
  })),
  completedAt: t.completedAt?.toISOString() ?? null,
  seriesId: t.seriesId,
  version: t.version,
});

export const toSeriesSnapshot = (s: Series): SeriesSnapshotV1 => ({
  id: s.id,
  title: s.title,
  description: s.description,
  priority: s.priority,
  tags: s.tags,
  remindBeforeMs: s.remindBeforeMs,
  rrule: s.recurrence.rrule,
  dtstart: s.recurrence.dtstart,
  timeZone: s.recurrence.timeZone,
  exdates: s.recurrence.exdates,
  mode: s.mode,
  state: s.state,
  maxOpen: s.maxOpen,
  materializeAhead: s.materializeAhead,
  version: s.version,
});

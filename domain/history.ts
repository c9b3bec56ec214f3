import { z } from 'zod';
import { badInput } from './errors.js';
import {
  eventCatalog,
  EventSource,
  taskIdOf,
  type EventType,
  type TicklerEvent,
  type TaskSnapshotV1,
} from './events.js';
import { Instant } from './time/instant.js';

// The audit history as people read it: one entry per recorded event, newest first (like an
// activity log: what just happened is on top), with who did it and each changed field before and
// after. Entries are derived from the stored events when read, so the log itself stays exactly
// what was published. Shared by the audit service (which serves it) and the api (which calls it
// through Dapr service invocation).

export const HISTORY_DEFAULT_PAGE = 20;
export const HISTORY_MAX_PAGE = 100;
export const EVENTS_DEFAULT_LIMIT = 500;
export const EVENTS_MAX_LIMIT = 1000;

export const eventTypes = Object.keys(eventCatalog) as [EventType, ...EventType[]];

export interface HistoryActor {
  kind: 'USER' | 'SYSTEM';
  /** The user's id for USER; null for SYSTEM (the worker: reminders, series, digests). */
  id: string | null;
}

export interface FieldChange {
  field: string;
  /** null when the field did not exist before (a creation) or the event does not carry it. */
  before: unknown;
  after: unknown;
}

export interface HistoryEntry {
  /** The event id. */
  id: string;
  sequence: number;
  /** The event type, e.g. task.updated. */
  action: EventType;
  actor: HistoryActor;
  subject: string;
  /** The task the entry is about; null when the subject is a series or a digest. */
  taskId: string | null;
  occurredAt: string;
  recordedAt: string;
  changes: FieldChange[];
}

export interface HistoryPage {
  entries: HistoryEntry[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export interface EventsPage {
  /** The stored CloudEvents with sequence > after, ascending by sequence. */
  events: TicklerEvent[];
  /** The greatest sequence recorded for the user; 0 if none. */
  head: number;
}

// Cursors are opaque to clients: base64url of the entry's sequence.
export const encodeHistoryCursor = (sequence: number): string =>
  Buffer.from(String(sequence)).toString('base64url');

export function decodeHistoryCursor(cursor: string, path = 'after'): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (/^[1-9]\d{0,15}$/.test(text) && encodeHistoryCursor(Number(text)) === cursor)
    return Number(text);
  throw badInput([{ path, message: 'is not a cursor from this API' }]);
}

const Action = z.enum(eventTypes, { error: `must be one of ${eventTypes.join(', ')}` });

/** What a history page asks for, as the audit service receives it (all filters optional). */
export interface HistoryQuery {
  subject?: string | undefined;
  types?: EventType[] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  first: number;
  /** Entries older than this sequence (decoded from the `after` cursor). */
  beforeSequence?: number | undefined;
}

const untilAfterSince = (q: { since?: Date | undefined; until?: Date | undefined }) =>
  !q.since || !q.until || q.until > q.since;

/** `GET /users/:userId/history` query string. Unknown parameters are refused by name. */
export const HistoryQueryParams = z
  .strictObject({
    subject: z.uuid('must be a UUID').optional(),
    types: z
      .string()
      .transform((s) => s.split(',').map((t) => t.trim()))
      .pipe(z.array(Action).min(1).max(eventTypes.length))
      .optional(),
    since: Instant.optional(),
    until: Instant.optional(),
    first: z.coerce
      .number('must be a number')
      .int()
      .min(1, `must be between 1 and ${HISTORY_MAX_PAGE}`)
      .max(HISTORY_MAX_PAGE, `must be between 1 and ${HISTORY_MAX_PAGE}`)
      .default(HISTORY_DEFAULT_PAGE),
    after: z.string().max(100).optional(),
  })
  .refine(untilAfterSince, { path: ['until'], message: 'must be after since' });

/** `GET /users/:userId/events` query string. */
export const EventsQueryParams = z.strictObject({
  after: z.coerce.number('must be a number').int().min(0, 'must be 0 or more').default(0),
  limit: z.coerce
    .number('must be a number')
    .int()
    .min(1, `must be between 1 and ${EVENTS_MAX_LIMIT}`)
    .max(EVENTS_MAX_LIMIT, `must be between 1 and ${EVENTS_MAX_LIMIT}`)
    .default(EVENTS_DEFAULT_LIMIT),
});

/** The GraphQL arguments of `history` and `Task.history` (the latter without a filter). */
export const HistoryArgs = z
  .object({
    filter: z
      .object({
        taskId: z.uuid('must be a task id').nullish(),
        actions: z.array(Action).min(1).max(eventTypes.length).nullish(),
        since: Instant.nullish(),
        until: Instant.nullish(),
      })
      .refine(
        (f) => untilAfterSince({ since: f.since ?? undefined, until: f.until ?? undefined }),
        {
          path: ['until'],
          message: 'must be after since',
        },
      )
      .nullish(),
    first: z
      .number()
      .int()
      .min(1, `must be between 1 and ${HISTORY_MAX_PAGE}`)
      .max(HISTORY_MAX_PAGE, `must be between 1 and ${HISTORY_MAX_PAGE}`)
      .nullish(),
    after: z.string().max(100).nullish(),
  })
  .transform((a) => {
    // Checked here, so a bad cursor is BAD_USER_INPUT from the api, not a failed call.
    if (a.after) decodeHistoryCursor(a.after);
    return a;
  });
export type HistoryArgs = z.infer<typeof HistoryArgs>;

// ---- deriving entries from events ----

export const actorOf = (e: Pick<TicklerEvent, 'source' | 'userid'>): HistoryActor =>
  e.source === EventSource.api ? { kind: 'USER', id: e.userid } : { kind: 'SYSTEM', id: null };

/** What a user sees of a task when it is created (ids and versions are bookkeeping). */
const createdTaskFields = (t: TaskSnapshotV1): FieldChange[] =>
  (
    [
      ['title', t.title],
      ['description', t.description],
      ['priority', t.priority],
      ['tags', t.tags],
      ['status', t.status],
      ['dueAt', t.dueAt],
      ['allDay', t.allDay],
      ['reminders', t.reminders.map((r) => r.id)],
      ['seriesId', t.seriesId],
      // Only when set: entries of tasks created before muting existed read as they did.
      ...(t.muted ? ([['muted', true]] as const) : []),
    ] as const
  ).map(([field, after]) => ({ field, before: null, after }));

const facts = (values: Record<string, unknown>): FieldChange[] =>
  Object.entries(values).map(([field, after]) => ({ field, before: null, after }));

const recordOf = (changes: Record<string, { before: unknown; after: unknown }>): FieldChange[] =>
  Object.entries(changes).map(([field, c]) => ({
    field,
    before: c.before ?? null,
    after: c.after ?? null,
  }));

/** A reminder that made no in-app notification says so; others read as they always did. */
const silentMarks = (d: { inApp?: boolean | undefined; muted?: boolean | undefined }) => ({
  ...(d.inApp === false ? { inApp: false } : {}),
  ...(d.muted ? { muted: true } : {}),
});

/** Each changed field before and after, as far as the event tells. */
export function changesOf(e: TicklerEvent): FieldChange[] {
  switch (e.type) {
    case 'task.created':
      return createdTaskFields(e.data.task);
    case 'task.updated':
      return recordOf(e.data.changes);
    // Completing and reopening are refused when they would change nothing, so the status
    // before is the other one.
    case 'task.completed':
      return [
        { field: 'status', before: 'OPEN', after: 'COMPLETED' },
        { field: 'completedAt', before: null, after: e.data.task.completedAt },
      ];
    case 'task.reopened':
      return [{ field: 'status', before: 'COMPLETED', after: 'OPEN' }];
    case 'task.deleted':
      return [{ field: 'deleted', before: false, after: true }];
    case 'reminder.fired':
      return facts({
        reminderId: e.data.reminderId,
        fireAt: e.data.fireAt,
        firedAt: e.data.firedAt,
        late: e.data.late,
        ...silentMarks(e.data),
      });
    case 'reminder.missed':
      return facts({
        reminderId: e.data.reminderId,
        fireAt: e.data.fireAt,
        recordedAt: e.data.recordedAt,
        ...silentMarks(e.data),
      });
    case 'reminder.snoozed': {
      const r = e.data.task.reminders.find((x) => x.id === e.data.reminderId);
      return facts({ reminderId: e.data.reminderId, snoozedUntil: r?.snoozedUntil ?? null });
    }
    case 'reminder.dismissed':
      return [
        { field: 'reminderId', before: null, after: e.data.reminderId },
        { field: 'dismissed', before: false, after: true },
      ];
    case 'reminder.digest':
      return facts({
        windowEnd: e.data.windowEnd,
        deliveredAt: e.data.deliveredAt,
        reminders: e.data.reminders.map((r) => ({ taskId: r.taskId, reminderId: r.reminderId })),
        ...silentMarks(e.data),
      });
    case 'series.created': {
      const s = e.data.series;
      return facts({
        title: s.title,
        description: s.description,
        priority: s.priority,
        tags: s.tags,
        remindBeforeMs: s.remindBeforeMs,
        rrule: s.rrule,
        dtstart: s.dtstart,
        timeZone: s.timeZone,
        mode: s.mode,
        state: s.state,
        maxOpen: s.maxOpen,
        materializeAhead: s.materializeAhead,
      });
    }
    case 'series.updated':
      return recordOf(e.data.changes);
  }
}

export function toHistoryEntry(e: TicklerEvent, recordedAt: Date): HistoryEntry {
  return {
    id: e.id,
    sequence: e.sequence,
    action: e.type,
    actor: actorOf(e),
    subject: e.subject,
    taskId: taskIdOf(e),
    occurredAt: e.time,
    recordedAt: recordedAt.toISOString(),
    changes: changesOf(e),
  };
}

import type { TaskId, UserId } from '../domain/ids.js';
import type { RecurrenceMode } from '../domain/recurrence/rule.js';
import type { CreatedOccurrence } from '../domain/series-plan.js';
import type { Series, SeriesId, SeriesState } from '../domain/series.js';
import { priorityOfRank, priorityRank, type Priority } from '../domain/task.js';
import type { ParameterOrJSON } from 'postgres';
import type { Db } from './sql.js';

interface SeriesRow {
  id: string;
  userId: string;
  title: string;
  description: string;
  priority: number;
  tags: string[];
  reminderOffsetsMs: string[];
  rrule: string;
  dtstart: string;
  timeZone: string;
  exdates: Date[];
  mode: RecurrenceMode;
  state: SeriesState;
  maxOpen: number;
  materializeAhead: number;
  notBefore: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const toSeries = (r: SeriesRow): Series => ({
  id: r.id as SeriesId,
  userId: r.userId,
  title: r.title,
  description: r.description,
  priority: priorityOfRank(r.priority),
  tags: r.tags,
  // Stored as offsets from the start (negative: before), like task reminders.
  remindBeforeMs: r.reminderOffsetsMs.map((ms) => -Number(ms)),
  recurrence: {
    rrule: r.rrule,
    dtstart: r.dtstart,
    timeZone: r.timeZone,
    exdates: r.exdates.map((d) => d.toISOString()),
  },
  mode: r.mode,
  state: r.state,
  maxOpen: r.maxOpen,
  materializeAhead: r.materializeAhead,
  notBefore: r.notBefore,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

const columns = (db: Db) =>
  db`id, user_id, title, description, priority, tags, reminder_offsets_ms, rrule, dtstart,
     time_zone, exdates, mode, state, max_open, materialize_ahead, not_before, created_at,
     updated_at, version`;

export type NewSeries = Omit<Series, 'state' | 'notBefore' | 'createdAt' | 'updatedAt' | 'version'>;

export async function insertSeries(db: Db, s: NewSeries): Promise<Series> {
  const [row] = await db<SeriesRow[]>`
    INSERT INTO series (id, user_id, title, description, priority, tags, reminder_offsets_ms,
                        rrule, dtstart, time_zone, exdates, mode, max_open, materialize_ahead)
    VALUES (${s.id}, ${s.userId}, ${s.title}, ${s.description}, ${priorityRank[s.priority]},
            ${db.array(s.tags)}, ${db.array(s.remindBeforeMs.map((ms) => -ms))}::bigint[],
            ${s.recurrence.rrule}, ${s.recurrence.dtstart}, ${s.recurrence.timeZone},
            ${db.array(s.recurrence.exdates)}::timestamptz[], ${s.mode}, ${s.maxOpen},
            ${s.materializeAhead})
    RETURNING ${columns(db)}`;
  return toSeries(row!);
}

// Lock order, everywhere (api commands and worker activities): series by id, then tasks by id
// (findTasksForUpdate), then the user row (lockUser; recording an event takes the user's next
// sequence, an UPDATE of that row, so every command that records one ends there). A command
// that locks the user first (creating a task or a series) locks no existing series or task
// after it. Two transactions that take overlapping locks in the same order wait for each other
// instead of deadlocking; deleteTasks used to lock occurrences before their series while
// stopSeries locked the series first, and reopening locked the user before the task that
// completing it locks first: PostgreSQL aborted one of them (40P01).

/** The caller's series; another user's is simply absent. */
export async function findSeries(
  db: Db,
  userId: UserId,
  id: SeriesId,
  opts: { forUpdate?: boolean } = {},
): Promise<Series | undefined> {
  const [row] = await db<SeriesRow[]>`
    SELECT ${columns(db)} FROM series WHERE id = ${id} AND user_id = ${userId}
    ${opts.forUpdate ? db`FOR UPDATE` : db``}`;
  return row && toSeries(row);
}

/**
 * Locks the series the given tasks of the caller belong to, in id order, before the tasks
 * themselves are locked (see the lock order above). A task's series never changes, so the
 * unlocked read of `series_id` stays true.
 */
export async function lockSeriesOfTasks(db: Db, userId: UserId, taskIds: TaskId[]): Promise<void> {
  await db`
    SELECT id FROM series
    WHERE user_id = ${userId}
      AND id IN (SELECT series_id FROM tasks
                 WHERE id = ANY(${db.array(taskIds)}::uuid[]) AND user_id = ${userId})
    ORDER BY id
    FOR UPDATE`;
}

/** Whether the user has at least `limit` series that still run (active or paused). */
export async function hasRunningSeries(db: Db, userId: UserId, limit: number): Promise<boolean> {
  if (limit <= 0) return true;
  const rows = await db`
    SELECT 1 FROM series
    WHERE user_id = ${userId} AND state IN ('ACTIVE', 'PAUSED')
    OFFSET ${limit - 1} LIMIT 1`;
  return rows.length > 0;
}

/** For the worker's activities, which act on ids the system gave them. */
export async function findSeriesById(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Series | undefined> {
  const [row] = await db<SeriesRow[]>`
    SELECT ${columns(db)} FROM series WHERE id = ${id} ${opts.forUpdate ? db`FOR UPDATE` : db``}`;
  return row && toSeries(row);
}

export interface SeriesChange {
  title?: string;
  description?: string;
  priority?: Priority;
  tags?: string[];
  remindBeforeMs?: number[];
  rrule?: string;
  dtstart?: string;
  timeZone?: string;
  exdates?: string[];
  mode?: RecurrenceMode;
  state?: SeriesState;
  maxOpen?: number;
  materializeAhead?: number;
  notBefore?: Date;
}

/** Applies the change and bumps the version; returns the series as it now is. */
export async function updateSeries(db: Db, id: SeriesId, change: SeriesChange): Promise<Series> {
  const values: Record<string, ParameterOrJSON<never>> = {};
  for (const key of [
    'title',
    'description',
    'rrule',
    'dtstart',
    'timeZone',
    'mode',
    'state',
    'maxOpen',
    'materializeAhead',
    'notBefore',
  ] as const) {
    if (change[key] !== undefined) values[key] = change[key] as never;
  }
  if (change.priority !== undefined) values.priority = priorityRank[change.priority];
  if (change.tags !== undefined) values.tags = db.array(change.tags) as never;
  if (change.remindBeforeMs !== undefined)
    values.reminderOffsetsMs = db.array(change.remindBeforeMs.map((ms) => -ms)) as never;
  if (change.exdates !== undefined)
    values.exdates = db.array(change.exdates.map((d) => new Date(d))) as never;
  const keys = Object.keys(values);
  // As in db/tasks.ts: the update helper works only right after `UPDATE … SET`.
  const [row] = keys.length
    ? await db<SeriesRow[]>`
        UPDATE series SET ${db(values, keys)}, updated_at = clock_timestamp(), version = version + 1
        WHERE id = ${id}
        RETURNING ${columns(db)}`
    : await db<SeriesRow[]>`
        UPDATE series SET updated_at = clock_timestamp(), version = version + 1
        WHERE id = ${id}
        RETURNING ${columns(db)}`;
  return toSeries(row!);
}

/** Adds an excluded occurrence (a deleted or skipped one) without touching the version. */
export async function addExdate(db: Db, id: string, start: Date): Promise<void> {
  await db`
    UPDATE series SET exdates = array_append(exdates, ${start}::timestamptz), updated_at = now()
    WHERE id = ${id} AND NOT (${start}::timestamptz = ANY(exdates))`;
}

export interface OccurrenceRow extends CreatedOccurrence {
  taskId: TaskId;
  title: string;
}

/** Every occurrence the series has created (deleted ones too), oldest first. */
export async function occurrencesOf(db: Db, seriesId: string): Promise<OccurrenceRow[]> {
  const rows = await db<
    {
      taskId: TaskId;
      title: string;
      start: Date;
      status: string;
      deletedAt: Date | null;
      completedAt: Date | null;
    }[]
  >`
    SELECT id AS task_id, title, occurrence_start AS start, status, deleted_at, completed_at
    FROM tasks WHERE series_id = ${seriesId}
    ORDER BY occurrence_start`;
  return rows.map((r) => ({
    taskId: r.taskId,
    title: r.title,
    start: r.start,
    open: r.status === 'OPEN' && r.deletedAt === null,
    deleted: r.deletedAt !== null,
    closedAt: r.completedAt ?? r.deletedAt,
  }));
}

export interface NewOccurrence {
  id: TaskId;
  series: Series;
  start: Date;
}

/**
 * The occurrence's task, unless the series already has one for that start: the unique
 * (series_id, occurrence_start) index makes a retried or duplicated creation a no-op.
 * Returns whether this call created it.
 */
export async function insertOccurrence(db: Db, o: NewOccurrence): Promise<boolean> {
  const s = o.series;
  const rows = await db`
    INSERT INTO tasks (id, user_id, title, description, priority, tags, due_at, series_id,
                       occurrence_start)
    VALUES (${o.id}, ${s.userId}, ${s.title}, ${s.description}, ${priorityRank[s.priority]},
            ${db.array(s.tags)}, ${o.start}, ${s.id}, ${o.start})
    ON CONFLICT (series_id, occurrence_start) WHERE series_id IS NOT NULL DO NOTHING
    RETURNING id`;
  return rows.length === 1;
}

export async function occurrenceTaskId(
  db: Db,
  seriesId: string,
  start: Date,
): Promise<TaskId | undefined> {
  const [row] = await db<{ id: TaskId }[]>`
    SELECT id FROM tasks WHERE series_id = ${seriesId} AND occurrence_start = ${start}`;
  return row?.id;
}

/** Open occurrences starting at or after `from`: the ones an edit of this-and-future reaches. */
export async function openOccurrencesFrom(db: Db, seriesId: string, from: Date): Promise<TaskId[]> {
  const rows = await db<{ id: TaskId }[]>`
    SELECT id FROM tasks
    WHERE series_id = ${seriesId} AND status = 'OPEN' AND deleted_at IS NULL
      AND occurrence_start >= ${from}
    ORDER BY occurrence_start`;
  return rows.map((r) => r.id);
}

/** Where a page of the caller's series listing ends: the next page starts after it. */
export interface SeriesKeyset {
  score: number;
  /** created_at as PostgreSQL prints it: exact to the microsecond, unlike a JS Date. */
  createdAt: string;
  id: string;
}

export interface SeriesListQuery {
  /** Words any of which may match (see domain/series-query.ts); absent: every series. */
  words?: string[];
  states?: SeriesState[];
  after?: SeriesKeyset;
  limit: number;
}

/**
 * The caller's series, best match first (how many of the words are a prefix of a word in the
 * title, description or tags), then newest first. The user's rows are read through
 * series_by_user and scored one by one: a user has few series (the running ones are bounded by
 * a quota), so no text index is kept for them.
 */
export async function listSeries(
  db: Db,
  userId: UserId,
  q: SeriesListQuery,
): Promise<{ series: Series; key: SeriesKeyset }[]> {
  const doc = db`to_tsvector('simple', title || ' ' || description || ' ' || array_to_string(tags, ' '))`;
  const score = (q.words ?? [])
    .map((w) => db`(${doc} @@ to_tsquery('simple', ${`${w}:*`}))::int`)
    .reduce((sum, term) => db`${sum} + ${term}`, db`0`);
  const rows = await db<(SeriesRow & { score: number; createdKey: string })[]>`
    SELECT * FROM (
      SELECT ${columns(db)}, created_at::text AS created_key, ${score} AS score
      FROM series
      WHERE user_id = ${userId}
        ${q.states ? db`AND state = ANY(${db.array(q.states)}::text[])` : db``}
    ) s
    WHERE TRUE
      ${q.words ? db`AND score > 0` : db``}
      ${
        q.after
          ? // As text: a timestamptz parameter goes through a JS Date, cut to the millisecond,
            // and the rows after the cursor's within that millisecond would be skipped.
            db`AND (score, created_at, id) <
                   (${q.after.score}, ${q.after.createdAt}::text::timestamptz, ${q.after.id}::uuid)`
          : db``
      }
    ORDER BY score DESC, created_at DESC, id DESC
    LIMIT ${q.limit}`;
  return rows.map((r) => ({
    series: toSeries(r),
    key: { score: r.score, createdAt: r.createdKey, id: r.id },
  }));
}

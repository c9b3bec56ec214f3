import type { TaskId, UserId } from '../domain/ids.js';
import type { TaskFilter, TaskOrder } from '../domain/task-query.js';
import type { Reminder } from '../domain/reminder.js';
import { priorityOfRank, priorityRank, type Task, type TaskEdits } from '../domain/task.js';
import type { ParameterOrJSON } from 'postgres';
import { remindersOf } from './reminders.js';
import type { Db } from './sql.js';

interface TaskRow {
  id: string;
  userId: string;
  title: string;
  description: string;
  priority: number;
  tags: string[];
  status: 'OPEN' | 'COMPLETED';
  dueAt: Date | null;
  allDay: boolean;
  muted: boolean;
  completedAt: Date | null;
  seriesId: string | null;
  occurrenceStart: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const toTask = (r: TaskRow, reminders: Reminder[]): Task => ({
  id: r.id as TaskId,
  userId: r.userId as UserId,
  title: r.title,
  description: r.description,
  priority: priorityOfRank(r.priority),
  tags: r.tags,
  status: r.status,
  dueAt: r.dueAt,
  allDay: r.allDay,
  muted: r.muted,
  reminders,
  completedAt: r.completedAt,
  seriesId: r.seriesId,
  occurrenceStart: r.occurrenceStart,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

/** Rows to tasks, with their reminders (one more query for any number of rows). */
async function withReminders(db: Db, rows: TaskRow[]): Promise<Task[]> {
  const reminders = await remindersOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toTask(r, reminders.get(r.id) ?? []));
}
const one = async (db: Db, row: TaskRow | undefined): Promise<Task | undefined> =>
  row && (await withReminders(db, [row]))[0];

// Every column a Task is made of (not the derived search columns).
const columns = (db: Db) =>
  db`id, user_id, title, description, priority, tags, status, due_at, all_day, muted,
     completed_at, series_id, occurrence_start, created_at, updated_at, version`;

export interface NewTask {
  id: TaskId;
  userId: UserId;
  title: string;
  description: string;
  priority: Task['priority'];
  tags: string[];
  dueAt: Date | null;
  allDay: boolean;
  muted: boolean;
  idempotencyKey: string | null;
}

/** Several new tasks in one statement (a batch create); read them back with findTasks. */
export async function insertTasks(db: Db, tasks: NewTask[]): Promise<void> {
  if (tasks.length === 0) return;
  await db`
    INSERT INTO tasks ${db(
      tasks.map((t) => ({
        id: t.id,
        userId: t.userId,
        title: t.title,
        description: t.description,
        priority: priorityRank[t.priority],
        tags: t.tags,
        dueAt: t.dueAt,
        allDay: t.allDay,
        muted: t.muted,
        idempotencyKey: t.idempotencyKey,
      })),
    )}`;
}

/** The caller's tasks among `ids`, in the order of `ids`; missing ones are left out. */
export async function findTasks(db: Db, userId: UserId, ids: TaskId[]): Promise<Task[]> {
  if (ids.length === 0) return [];
  const rows = await db<TaskRow[]>`
    SELECT ${columns(db)} FROM tasks
    WHERE id = ANY(${db.array(ids)}::uuid[]) AND user_id = ${userId} AND deleted_at IS NULL`;
  const byId = new Map((await withReminders(db, rows)).map((t) => [t.id, t]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Another user's task and a deleted one are both simply absent. */
export async function findTask(db: Db, userId: UserId, id: TaskId): Promise<Task | undefined> {
  const [row] = await db<TaskRow[]>`
    SELECT ${columns(db)} FROM tasks WHERE id = ${id} AND user_id = ${userId} AND deleted_at IS NULL`;
  return one(db, row);
}

/** The same, locking the row until the transaction ends: the basis of every change. */
export async function findTaskForUpdate(
  db: Db,
  userId: UserId,
  id: TaskId,
): Promise<Task | undefined> {
  return (await findTasksForUpdate(db, userId, [id]))[0];
}

/**
 * Locks the caller's tasks in id order: two transactions locking overlapping sets wait for each
 * other rather than deadlock. A transaction that also locks series locks them first (the lock
 * order is written down in db/series.ts).
 */
export async function findTasksForUpdate(db: Db, userId: UserId, ids: TaskId[]): Promise<Task[]> {
  const rows = await db<TaskRow[]>`
    SELECT ${columns(db)} FROM tasks
    WHERE id = ANY(${db.array(ids)}::uuid[]) AND user_id = ${userId} AND deleted_at IS NULL
    ORDER BY id
    FOR UPDATE`;
  return withReminders(db, rows);
}

export async function findTaskByIdempotencyKey(
  db: Db,
  userId: UserId,
  key: string,
): Promise<Task | undefined> {
  const [row] = await db<TaskRow[]>`
    SELECT ${columns(db)} FROM tasks WHERE user_id = ${userId} AND idempotency_key = ${key}`;
  return one(db, row);
}

/** The caller's tasks created with these idempotency keys, by key. */
export async function findTasksByIdempotencyKeys(
  db: Db,
  userId: UserId,
  keys: string[],
): Promise<Map<string, Task>> {
  if (keys.length === 0) return new Map();
  const rows = await db<(TaskRow & { idempotencyKey: string })[]>`
    SELECT ${columns(db)}, idempotency_key FROM tasks
    WHERE user_id = ${userId} AND idempotency_key = ANY(${db.array(keys)}::text[])`;
  const keyed = new Map(rows.map((r) => [r.id, r.idempotencyKey]));
  return new Map((await withReminders(db, rows)).map((t) => [keyed.get(t.id)!, t]));
}

/** For internal callers (activities) that act on a task id they were given by the system. */
export async function findTaskById(db: Db, id: TaskId): Promise<Task | undefined> {
  const [row] = await db<
    TaskRow[]
  >`SELECT ${columns(db)} FROM tasks WHERE id = ${id} AND deleted_at IS NULL`;
  return one(db, row);
}

export type TaskChange = TaskEdits & {
  status?: Task['status'];
  completedAt?: Date | null;
  deletedAt?: Date;
};

/** Applies a change and bumps the version; the caller holds the row lock. */
export async function updateTaskRow(db: Db, id: TaskId, change: TaskChange): Promise<Task> {
  const values: Record<string, ParameterOrJSON<never>> = { ...change };
  if (change.priority !== undefined) values.priority = priorityRank[change.priority];
  if (change.tags !== undefined) values.tags = db.array(change.tags);
  const keys = Object.keys(values);
  // postgres.js recognises its update helper only right after `UPDATE … SET` in the same
  // template, so the two shapes are written out rather than composed.
  const [row] = keys.length
    ? await db<TaskRow[]>`
        UPDATE tasks SET ${db(values, keys)}, version = version + 1, updated_at = clock_timestamp()
        WHERE id = ${id}
        RETURNING ${columns(db)}`
    : await db<TaskRow[]>`
        UPDATE tasks SET version = version + 1, updated_at = clock_timestamp()
        WHERE id = ${id}
        RETURNING ${columns(db)}`;
  return (await one(db, row))!;
}

// --- Lists, search, counts ---------------------------------------------------------------

/** The sort key of each order field; every list ends with `id` as the tie-break. */
function sortKey(db: Db, field: TaskOrder['field'], search: SearchTerms | undefined) {
  switch (field) {
    case 'DUE_AT':
      return db`due_at`;
    case 'PRIORITY':
      return db`priority`;
    case 'CREATED_AT':
      return db`created_at`;
    case 'UPDATED_AT':
      return db`updated_at`;
    case 'TITLE':
      return db`lower(title)`;
    case 'RELEVANCE':
      if (!search) throw new Error('RELEVANCE order needs a search');
      return db`(ts_rank(search, to_tsquery('simple', ${search.tsquery}))::float8
                 + CASE WHEN lower(title) LIKE ${search.likePattern} THEN 0.05 ELSE 0 END)`;
  }
}

export interface SearchTerms {
  /** The words whose prefixes are searched for (letters and digits only). */
  words: string[];
  /** Word prefixes joined with AND, e.g. `water:* & pla:*`. */
  tsquery: string;
  /** `%text%` over the lower-cased title, for matches inside words. */
  likePattern: string;
}

function filterSql(
  db: Db,
  userId: UserId,
  filter: TaskFilter,
  search: SearchTerms | undefined,
  now: Date,
) {
  const parts = [db`user_id = ${userId}`, db`deleted_at IS NULL`];
  if (filter.status) parts.push(db`status = ${filter.status}`);
  if (filter.priorities?.length)
    parts.push(
      db`priority = ANY(${db.array(filter.priorities.map((p) => priorityRank[p]))}::smallint[])`,
    );
  if (filter.tags?.any?.length)
    parts.push(db`tag_keys && ${db.array(filter.tags.any.map((t) => t.toLowerCase()))}::text[]`);
  if (filter.tags?.all?.length)
    parts.push(db`tag_keys @> ${db.array(filter.tags.all.map((t) => t.toLowerCase()))}::text[]`);
  if (filter.dueAfter) parts.push(db`due_at >= ${filter.dueAfter}`);
  if (filter.dueBefore) parts.push(db`due_at < ${filter.dueBefore}`);
  if (filter.hasDueDate === true) parts.push(db`due_at IS NOT NULL`);
  if (filter.hasDueDate === false) parts.push(db`due_at IS NULL`);
  if (filter.overdue === true) parts.push(db`(status = 'OPEN' AND due_at < ${now})`);
  if (filter.overdue === false)
    parts.push(db`NOT (status = 'OPEN' AND due_at IS NOT NULL AND due_at < ${now})`);
  if (filter.seriesId) parts.push(db`series_id = ${filter.seriesId}`);
  if (search) {
    parts.push(
      // search_keys finds the candidates in the user's own index entries (migration 0014);
      // the search vector itself decides, as it always did.
      // (The subquery runs once; a function call here would run again for every row.)
      db`((search_keys @@ (SELECT task_search_query(${userId}, string_to_array(${search.words.join(' ')}, ' ')))
           AND search @@ to_tsquery('simple', ${search.tsquery}))
          OR lower(title) LIKE ${search.likePattern})`,
    );
  }
  return parts.reduce((acc, p) => db`${acc} AND ${p}`);
}

export interface Keyset {
  /** The sort key value of the last row seen (ISO string, number, or null). */
  value: string | number | null;
  id: string;
}

export interface ListQuery {
  filter: TaskFilter;
  search?: SearchTerms | undefined;
  order: TaskOrder;
  after?: Keyset | undefined;
  limit: number;
  now: Date;
  /**
   * Count every match in the same scan (RELEVANCE's first page: ranking reads every match
   * anyway, so counting them in a second query would read them all twice).
   */
  withTotal?: boolean | undefined;
}

/**
 * One page in keyset order: (sort key, id), nulls last in both directions. Rows inserted while
 * a client pages never shift the pages it has yet to read.
 */
export async function listTasks(
  db: Db,
  userId: UserId,
  q: ListQuery,
): Promise<{ rows: { task: Task; key: Keyset }[]; total?: number }> {
  const key = sortKey(db, q.order.field, q.search);
  const asc = q.order.direction === 'ASC';
  const nullable = q.order.field === 'DUE_AT';
  // Timestamps are stored to the microsecond; a JS Date keeps milliseconds. The cursor carries
  // the key as microsecond text, so a page boundary never repeats or skips a row.
  const isTime = ['DUE_AT', 'CREATED_AT', 'UPDATED_AT'].includes(q.order.field);
  const keyOut = isTime
    ? db`to_char(${key} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : key;
  let after = db``;
  if (q.after) {
    const { value, id } = q.after;
    if (value === null) {
      after = db`AND (${key} IS NULL AND id ${asc ? db`>` : db`<`} ${id})`;
    } else {
      const v = isTime ? db`${String(value)}::text::timestamptz` : db`${value}`;
      after = db`AND (${key} ${asc ? db`>` : db`<`} ${v}
                      OR (${key} = ${v} AND id ${asc ? db`>` : db`<`} ${id})
                      ${nullable ? db`OR ${key} IS NULL` : db``})`;
    }
  }
  const direction = asc ? db`ASC` : db`DESC`;
  const where = db`${filterSql(db, userId, q.filter, q.search, q.now)} ${after}`;
  type Row = TaskRow & { sortKey: number | string | null; total?: string };
  // With a total, the page is chosen from (id, key) pairs alone and only its rows are read
  // whole: the count holds every match until the last, and whole rows would spill to disk.
  const rows = q.withTotal
    ? await db<Row[]>`
        WITH matches AS MATERIALIZED (SELECT id, ${key} AS k FROM tasks WHERE ${where}),
        page AS (
          SELECT id, k, count(*) OVER () AS total FROM matches
          ORDER BY k ${direction} NULLS LAST, id ${direction}
          LIMIT ${q.limit})
        SELECT ${columns(db)}, ${isTime ? db`to_char(page.k AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : db`page.k`} AS sort_key, page.total
        FROM page JOIN tasks USING (id)
        ORDER BY page.k ${direction} NULLS LAST, id ${direction}`
    : await db<Row[]>`
        SELECT ${columns(db)}, ${keyOut} AS sort_key
        FROM tasks
        WHERE ${where}
        ORDER BY ${key} ${direction} NULLS LAST, id ${direction}
        LIMIT ${q.limit}`;
  const tasks = await withReminders(db, rows);
  const page = rows.map((r, i) => ({
    task: tasks[i]!,
    key: { value: r.sortKey, id: r.id },
  }));
  if (!q.withTotal) return { rows: page };
  return { rows: page, total: rows.length ? Number(rows[0]!.total) : 0 };
}

export async function countTasks(
  db: Db,
  userId: UserId,
  filter: TaskFilter,
  search: SearchTerms | undefined,
  now: Date,
): Promise<number> {
  const [row] = await db<[{ count: string }]>`
    SELECT count(*) FROM tasks WHERE ${filterSql(db, userId, filter, search, now)}`;
  return Number(row.count);
}

/**
 * Whether the user has at least `limit` open tasks. Reads at most `limit` index entries
 * rather than counting them all: a quota check costs the same however far over it a user is.
 */
export async function hasOpenTasks(db: Db, userId: UserId, limit: number): Promise<boolean> {
  if (limit <= 0) return true;
  const rows = await db`
    SELECT 1 FROM tasks
    WHERE user_id = ${userId} AND status = 'OPEN' AND deleted_at IS NULL
    OFFSET ${limit - 1} LIMIT 1`;
  return rows.length > 0;
}

/** How many open tasks the user has, counted up to `limit` (a quota needs no more). */
export async function countOpenTasks(db: Db, userId: UserId, limit: number): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM tasks
      WHERE user_id = ${userId} AND status = 'OPEN' AND deleted_at IS NULL
      LIMIT ${limit}) open`;
  return row!.n;
}

/** The caller's tags with how many (not deleted) tasks carry each, most used first. */
export async function tagCounts(db: Db, userId: UserId): Promise<{ tag: string; count: number }[]> {
  // Tags are unique ignoring case; the most common spelling names the group.
  const rows = await db<{ tag: string; count: string }[]>`
    SELECT mode() WITHIN GROUP (ORDER BY t.tag) AS tag, count(*) AS count
    FROM tasks, unnest(tags) AS t(tag)
    WHERE user_id = ${userId} AND deleted_at IS NULL
    GROUP BY lower(t.tag)
    ORDER BY count(*) DESC, lower(t.tag)`;
  return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
}

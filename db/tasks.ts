import type { TaskId, UserId } from '../domain/ids.js';
import {
  RELEVANCE_CANDIDATES,
  RELEVANCE_WALK,
  type TaskFilter,
  type TaskOrder,
} from '../domain/task-query.js';
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
      // A sub-select: parsed once, not once a row (a parameter is not folded into a constant
      // once the statement's plan is a generic one).
      return db`(ts_rank(search, (SELECT to_tsquery('simple', ${search.tsquery})))::float8
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
  /** 'scan': the rows come from a walk, so the word index's own condition would only cost. */
  words: 'index' | 'scan' = 'index',
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
  if (search && words === 'scan') {
    parts.push(
      db`(search @@ (SELECT to_tsquery('simple', ${search.tsquery}))
          OR lower(title) LIKE ${search.likePattern})`,
    );
  } else if (search) {
    parts.push(
      // search_keys finds the candidates in the user's own index entries (migration 0014);
      // the search vector itself decides, as it always did.
      // (The subquery runs once; a function call here would run again for every row.)
      db`((search_keys @@ (SELECT task_search_query(${userId}, string_to_array(${search.words.join(' ')}, ' ')))
           AND search @@ (SELECT to_tsquery('simple', ${search.tsquery})))
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
}

/**
 * One page in keyset order: (sort key, id), nulls last in both directions. Rows inserted while
 * a client pages never shift the pages it has yet to read (RELEVANCE: see relevancePage).
 */
export async function listTasks(
  db: Db,
  userId: UserId,
  q: ListQuery,
): Promise<{ rows: { task: Task; key: Keyset }[]; candidates?: number }> {
  if (q.order.field === 'RELEVANCE') return relevancePage(db, userId, q);
  const key = sortKey(db, q.order.field, q.search);
  const asc = q.order.direction === 'ASC';
  const direction = asc ? db`ASC` : db`DESC`;
  // Timestamps are stored to the microsecond; a JS Date keeps milliseconds. The cursor carries
  // the key as microsecond text, so a page boundary never repeats or skips a row.
  const isTime = ['DUE_AT', 'CREATED_AT', 'UPDATED_AT'].includes(q.order.field);
  const keyOut = isTime
    ? db`to_char(${key} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : key;
  const where = db`${filterSql(db, userId, q.filter, q.search, q.now)}
                   ${afterSql(db, key, q, isTime)}`;
  const rows = await withCustomPlan(
    db,
    (db) => db<(TaskRow & { sortKey: number | string | null })[]>`
      SELECT ${columns(db)}, ${keyOut} AS sort_key
      FROM tasks
      WHERE ${where}
      ORDER BY ${key} ${direction} NULLS LAST, id ${direction}
      LIMIT ${q.limit}`,
  );
  return { rows: await keyed(db, rows) };
}

/** The keyset condition: rows after the cursor's (key, id) in the list's order. */
function afterSql(db: Db, key: ReturnType<typeof sortKey>, q: ListQuery, isTime: boolean) {
  if (!q.after) return db``;
  const asc = q.order.direction === 'ASC';
  const { value, id } = q.after;
  if (value === null) return db`AND (${key} IS NULL AND id ${asc ? db`>` : db`<`} ${id})`;
  const v = isTime ? db`${String(value)}::text::timestamptz` : db`${value}`;
  return db`AND (${key} ${asc ? db`>` : db`<`} ${v}
                 OR (${key} = ${v} AND id ${asc ? db`>` : db`<`} ${id})
                 ${q.order.field === 'DUE_AT' ? db`OR ${key} IS NULL` : db``})`;
}

async function keyed(db: Db, rows: (TaskRow & { sortKey: number | string | null })[]) {
  const tasks = await withReminders(db, rows);
  return rows.map((r, i) => ({ task: tasks[i]!, key: { value: r.sortKey, id: r.id } }));
}

/**
 * Runs one statement planned for its parameters' values. postgres.js prepares every statement,
 * and after five runs PostgreSQL may keep a generic plan, one made without knowing whose tasks
 * are listed: it guesses a hundred rows a user. For a user with many tasks that plan walks an
 * index through all of them where the word index would read a few (a rare word: 100–190 ms
 * instead of 15), or sorts every tagged task where tasks_user_due would find a page in a few
 * hundred (30–48 ms instead of 5–8). Planning each time costs well under a millisecond here.
 * SET LOCAL ends with the transaction.
 */
async function withCustomPlan<T>(db: Db, run: (db: Db) => Promise<T>): Promise<T> {
  const force = (tx: Db) => tx`SET LOCAL plan_cache_mode = force_custom_plan`;
  if ('savepoint' in db) {
    await force(db);
    return run(db);
  }
  // Both are sent at once (postgres.js pipelines the queries a transaction returns together).
  const [, result] = (await db.begin((tx) => [force(tx), run(tx)])) as [unknown, T];
  return result;
}

/**
 * A RELEVANCE page ranks only the RELEVANCE_CANDIDATES newest matches (by created_at, then id),
 * so a common word over a long list reads about a thousand rows instead of every match, and it
 * says how many matches it found, up to one past the bound: the list's capped total.
 *
 * The newest matches are found in two steps with plans fixed by the query's shape, because the
 * planner cannot estimate how common a word is (the owner-keyed query is a sub-select):
 * 1. walk the user's RELEVANCE_WALK newest tasks (tasks_user_created, newest first) and keep
 *    the matches: a word in one task in twenty fills the window here, reading no other index;
 * 2. only if fewer were found, ask the word index (tasks_search_keys, the trigram index) for
 *    the matches older than those tasks: then the word is rare, and so are its matches.
 * Later pages rank the same window again; a task created meanwhile enters it and pushes out the
 * oldest candidate, the one price of the bound.
 */
async function relevancePage(
  db: Db,
  userId: UserId,
  q: ListQuery,
): Promise<{ rows: { task: Task; key: Keyset }[]; candidates: number }> {
  const rank = sortKey(db, 'RELEVANCE', q.search);
  const direction = q.order.direction === 'ASC' ? db`ASC` : db`DESC`;
  const matches = filterSql(db, userId, q.filter, q.search, q.now);
  const newest = db`ORDER BY created_at DESC, id DESC`;
  // Only the page's rows are read whole. The count comes first so that a page past the end
  // still says how many were found (one row of nulls).
  type Row = TaskRow & { sortKey: number; found: number };
  const rows = await withCustomPlan(
    db,
    (db) => db<(Row | (Partial<Row> & { id: null; found: number }))[]>`
    WITH recent AS (
      SELECT id, created_at FROM (
        -- A LIMIT keeps the filter out of this walk: it stays a walk of the newest tasks.
        SELECT * FROM tasks WHERE user_id = ${userId} AND deleted_at IS NULL
        ${newest} LIMIT ${RELEVANCE_WALK}) tasks
      WHERE ${filterSql(db, userId, q.filter, q.search, q.now, 'scan')}
      ${newest} LIMIT ${RELEVANCE_CANDIDATES + 1}),
    older AS (
      SELECT id, created_at FROM tasks
      WHERE (SELECT count(*) FROM recent) <= ${RELEVANCE_CANDIDATES}
        AND (created_at, id) < (
          SELECT created_at, id FROM tasks WHERE user_id = ${userId} AND deleted_at IS NULL
          ${newest} OFFSET ${RELEVANCE_WALK - 1} LIMIT 1)
        AND ${matches}
      ${newest} LIMIT ${RELEVANCE_CANDIDATES + 1}),
    found AS (SELECT * FROM recent UNION ALL SELECT * FROM older),
    candidates AS (SELECT id FROM found ${newest} LIMIT ${RELEVANCE_CANDIDATES}),
    page AS (
      SELECT id, k FROM (SELECT id, ${rank} AS k FROM candidates JOIN tasks USING (id)) ranked
      WHERE true ${afterSql(db, db`k`, q, false)}
      ORDER BY k ${direction}, id ${direction}
      LIMIT ${q.limit})
    SELECT ${columns(db)}, page.k AS sort_key, total.found
    FROM (
      SELECT count(*)::int AS found FROM (SELECT 1 FROM found LIMIT ${RELEVANCE_CANDIDATES + 1}) f
    ) total
    LEFT JOIN (page JOIN tasks USING (id)) ON true
    ORDER BY page.k ${direction}, page.id ${direction}`,
  );
  const candidates = rows[0]?.found ?? 0;
  const page = rows.filter((r): r is Row => r.id !== null);
  return { rows: await keyed(db, page), candidates };
}

/**
 * How many tasks match, reading at most `cap + 1` of them: more than `cap` is all a caller
 * learns, so a count costs about as much as a long page however many tasks match.
 */
export async function countTasks(
  db: Db,
  userId: UserId,
  filter: TaskFilter,
  search: SearchTerms | undefined,
  now: Date,
  cap: number,
): Promise<number> {
  const [row] = await withCustomPlan(
    db,
    (db) => db<[{ n: number }]>`
      SELECT count(*)::int AS n FROM (
        SELECT 1 FROM tasks WHERE ${filterSql(db, userId, filter, search, now)}
        LIMIT ${cap + 1}) m`,
  );
  return row.n;
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

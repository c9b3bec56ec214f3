import type { Delivery, Reminder } from '../domain/reminder.js';
import type { TaskId, UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

interface ReminderRow {
  id: string;
  taskId: string;
  offsetMs: string | null;
  at: Date | null;
  snoozedUntil: Date | null;
  dismissedAt: Date | null;
  armedAt: Date;
}

const toReminder = (r: ReminderRow): Reminder => ({
  id: r.id,
  offsetMs: r.offsetMs === null ? null : Number(r.offsetMs),
  at: r.at,
  snoozedUntil: r.snoozedUntil,
  dismissedAt: r.dismissedAt,
  armedAt: r.armedAt,
});

/** The reminders of these tasks, in the order they were added, grouped by task id. */
export async function remindersOf(db: Db, taskIds: string[]): Promise<Map<string, Reminder[]>> {
  const byTask = new Map<string, Reminder[]>(taskIds.map((id) => [id, []]));
  if (taskIds.length === 0) return byTask;
  const rows = await db<ReminderRow[]>`
    SELECT id, task_id, offset_ms, at, snoozed_until, dismissed_at, armed_at
    FROM reminders WHERE task_id = ANY(${db.array(taskIds)}::uuid[])
    ORDER BY seq`;
  for (const r of rows) byTask.get(r.taskId)?.push(toReminder(r));
  return byTask;
}

export interface NewReminder {
  id: string;
  taskId: TaskId;
  userId: UserId;
  offsetMs: number | null;
  at: Date | null;
}

export async function insertReminders(db: Db, reminders: NewReminder[]): Promise<void> {
  if (reminders.length === 0) return;
  await db`
    INSERT INTO reminders ${db(
      reminders.map((r) => ({
        id: r.id,
        taskId: r.taskId,
        userId: r.userId,
        offsetMs: r.offsetMs,
        at: r.at,
      })),
      'id',
      'taskId',
      'userId',
      'offsetMs',
      'at',
    )}`;
}

export async function deleteReminder(db: Db, taskId: TaskId, id: string): Promise<boolean> {
  const rows =
    await db`DELETE FROM reminders WHERE task_id = ${taskId} AND id = ${id} RETURNING id`;
  return rows.length === 1;
}

/** Snoozing re-arms the reminder at a new time. */
export async function snoozeReminder(
  db: Db,
  taskId: TaskId,
  id: string,
  until: Date,
): Promise<void> {
  await db`
    UPDATE reminders SET snoozed_until = ${until}, dismissed_at = NULL, armed_at = clock_timestamp()
    WHERE task_id = ${taskId} AND id = ${id}`;
}

export async function dismissReminder(db: Db, taskId: TaskId, id: string): Promise<void> {
  await db`UPDATE reminders SET dismissed_at = clock_timestamp() WHERE task_id = ${taskId} AND id = ${id}`;
}

/**
 * The due date moved: relative reminders get new fire times, set now (one already past is not
 * armed); snoozes are dropped, since they were relative to the old time.
 */
export async function rearmRelativeReminders(db: Db, taskId: TaskId): Promise<void> {
  await db`
    UPDATE reminders SET armed_at = clock_timestamp(), snoozed_until = NULL
    WHERE task_id = ${taskId} AND offset_ms IS NOT NULL`;
}

/**
 * What was delivered (or recorded missed) for these tasks' reminders, with an in-app
 * notification or without one (inApp off, or the task muted), and what waits for the end of
 * quiet hours (delivered_at: its end).
 */
export async function deliveriesOf(db: Db, taskIds: string[]): Promise<Delivery[]> {
  if (taskIds.length === 0) return [];
  const ids = db.array(taskIds);
  return db<Delivery[]>`
    SELECT reminder_id, fire_at, delivered_at, late, missed, NULL::timestamptz AS deferred_until,
           false AS muted
    FROM notifications WHERE task_id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT reminder_id, fire_at, recorded_at, late, missed, NULL::timestamptz, muted
    FROM silent_firings WHERE task_id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT reminder_id, fire_at, deferred_until, false, false, deferred_until, false
    FROM deferred_reminders WHERE task_id = ANY(${ids}::uuid[]) AND settled_at IS NULL`;
}

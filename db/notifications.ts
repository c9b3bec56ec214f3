import type { TaskId, UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

export interface NewNotification {
  id: string;
  idempotencyKey: string;
  userId: UserId;
  taskId: TaskId;
  reminderId: string;
  fireAt: Date;
  late: boolean;
  missed: boolean;
  /** Set when it went out in a quiet-hours digest. */
  digestId?: string | null;
}

/** True when this call recorded the notification; false when the key was already recorded. */
export async function insertNotification(db: Db, n: NewNotification): Promise<boolean> {
  const rows = await db`
    INSERT INTO notifications (id, idempotency_key, user_id, task_id, reminder_id, fire_at, late, missed, digest_id)
    VALUES (${n.id}, ${n.idempotencyKey}, ${n.userId}, ${n.taskId}, ${n.reminderId}, ${n.fireAt}, ${n.late}, ${n.missed}, ${n.digestId ?? null})
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id`;
  return rows.length === 1;
}

export async function notificationExists(db: Db, idempotencyKey: string): Promise<boolean> {
  const rows = await db`SELECT 1 FROM notifications WHERE idempotency_key = ${idempotencyKey}`;
  return rows.length > 0;
}

export interface NotificationRow {
  id: string;
  taskId: string;
  reminderId: string;
  title: string;
  fireAt: Date;
  deliveredAt: Date;
  late: boolean;
  missed: boolean;
  digestId: string | null;
  readAt: Date | null;
  /** delivered_at to the microsecond (a Date keeps milliseconds), for page cursors. */
  cursorAt: string;
}

/** The caller's notifications, newest first, in keyset pages of (delivered_at, id). */
export async function listNotifications(
  db: Db,
  userId: UserId,
  opts: {
    unreadOnly: boolean;
    limit: number;
    /**
     * deliveredAt: a cursorAt of an earlier page. It goes to the server as text: as a
     * timestamptz parameter postgres.js would pass it through a Date, cut to the millisecond.
     */
    after?: { deliveredAt: string; id: string } | undefined;
  },
): Promise<NotificationRow[]> {
  return db<NotificationRow[]>`
    SELECT n.id, n.task_id, n.reminder_id, t.title, n.fire_at, n.delivered_at, n.late, n.missed, n.digest_id, n.read_at,
      to_char(n.delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM notifications n JOIN tasks t ON t.id = n.task_id
    WHERE n.user_id = ${userId}
      ${opts.unreadOnly ? db`AND n.read_at IS NULL` : db``}
      ${opts.after ? db`AND (n.delivered_at, n.id) < (${opts.after.deliveredAt}::text::timestamptz, ${opts.after.id}::uuid)` : db``}
    ORDER BY n.delivered_at DESC, n.id DESC
    LIMIT ${opts.limit}`;
}

/** Marks the given notifications (or all) read; returns how many changed. */
export async function markRead(db: Db, userId: UserId, ids: string[] | 'all'): Promise<number> {
  const rows = await db`
    UPDATE notifications SET read_at = now()
    WHERE user_id = ${userId} AND read_at IS NULL
      ${ids === 'all' ? db`` : db`AND id = ANY(${db.array(ids)}::uuid[])`}
    RETURNING id`;
  return rows.length;
}

/** Which of these ids are the caller's notifications (read or not). */
export async function ownedNotificationIds(
  db: Db,
  userId: UserId,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db<{ id: string }[]>`
    SELECT id FROM notifications WHERE user_id = ${userId} AND id = ANY(${db.array(ids)}::uuid[])`;
  return new Set(rows.map((r) => r.id));
}

import type { TaskId, UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

export interface NewNotification {
  id: string;
  idempotencyKey: string;
  userId: UserId;
  taskId: TaskId;
  reminderId: string;
  fireAt: Date;
}

/** True when this call recorded the notification; false when the key was already recorded. */
export async function insertNotification(db: Db, n: NewNotification): Promise<boolean> {
  const rows = await db`
    INSERT INTO notifications (id, idempotency_key, user_id, task_id, reminder_id, fire_at)
    VALUES (${n.id}, ${n.idempotencyKey}, ${n.userId}, ${n.taskId}, ${n.reminderId}, ${n.fireAt})
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id`;
  return rows.length === 1;
}

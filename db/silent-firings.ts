import type { TaskId, UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

// Reminders that fired without an in-app notification (db/migrations/0013_task_mute.sql).

export interface NewSilentFiring {
  idempotencyKey: string;
  userId: UserId;
  taskId: TaskId;
  reminderId: string;
  fireAt: Date;
  late: boolean;
  missed: boolean;
  /** The task was muted: the reminder went to no channel at all. */
  muted: boolean;
  digestId?: string | null;
}

/** True when this call recorded the firing; false when the key was already recorded. */
export async function insertSilentFiring(db: Db, f: NewSilentFiring): Promise<boolean> {
  const rows = await db`
    INSERT INTO silent_firings (idempotency_key, user_id, task_id, reminder_id, fire_at, late, missed, muted, digest_id)
    VALUES (${f.idempotencyKey}, ${f.userId}, ${f.taskId}, ${f.reminderId}, ${f.fireAt}, ${f.late}, ${f.missed}, ${f.muted}, ${f.digestId ?? null})
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING idempotency_key`;
  return rows.length === 1;
}

/** Whether a firing under this key was recorded, with an in-app notification or without. */
export async function firingRecorded(db: Db, idempotencyKey: string): Promise<boolean> {
  const rows = await db`
    SELECT 1 FROM notifications WHERE idempotency_key = ${idempotencyKey}
    UNION ALL
    SELECT 1 FROM silent_firings WHERE idempotency_key = ${idempotencyKey}
    LIMIT 1`;
  return rows.length > 0;
}

import type { TaskId, UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

// Reminders held back by quiet hours, and the digests that deliver them.

export interface NewDeferral {
  idempotencyKey: string;
  userId: UserId;
  taskId: TaskId;
  reminderId: string;
  fireAt: Date;
  deferredUntil: Date;
}

export interface Deferral extends NewDeferral {
  settledAt: Date | null;
}

export async function findDeferral(db: Db, key: string): Promise<Deferral | undefined> {
  const [row] = await db<Deferral[]>`
    SELECT idempotency_key, user_id, task_id, reminder_id, fire_at, deferred_until, settled_at
    FROM deferred_reminders WHERE idempotency_key = ${key}`;
  return row;
}

export async function insertDeferral(db: Db, d: NewDeferral): Promise<void> {
  await db`
    INSERT INTO deferred_reminders (idempotency_key, user_id, task_id, reminder_id, fire_at, deferred_until)
    VALUES (${d.idempotencyKey}, ${d.userId}, ${d.taskId}, ${d.reminderId}, ${d.fireAt}, ${d.deferredUntil})
    ON CONFLICT (idempotency_key) DO NOTHING`;
}

/** The user's unsettled deferrals due by `upTo`, locked until the transaction ends. */
export async function lockPendingDeferrals(
  db: Db,
  userId: UserId,
  upTo: Date,
): Promise<Deferral[]> {
  return db<Deferral[]>`
    SELECT idempotency_key, user_id, task_id, reminder_id, fire_at, deferred_until, settled_at
    FROM deferred_reminders
    WHERE user_id = ${userId} AND settled_at IS NULL AND deferred_until <= ${upTo}
    ORDER BY fire_at, idempotency_key
    FOR UPDATE`;
}

/** Settles deferrals: delivered in `digestId`, or dropped for `reason`. */
export async function settleDeferrals(
  db: Db,
  keys: string[],
  outcome: { digestId: string } | { reason: string },
): Promise<void> {
  if (keys.length === 0) return;
  await db`
    UPDATE deferred_reminders
    SET settled_at = now(),
        digest_id = ${'digestId' in outcome ? outcome.digestId : null},
        dropped_reason = ${'reason' in outcome ? outcome.reason : null}
    WHERE idempotency_key = ANY(${db.array(keys)})`;
}

export async function insertDigest(
  db: Db,
  d: { id: string; userId: UserId; windowEnd: Date },
): Promise<void> {
  await db`INSERT INTO digests (id, user_id, window_end) VALUES (${d.id}, ${d.userId}, ${d.windowEnd})`;
}

export interface DigestItem {
  taskId: string;
  reminderId: string;
  title: string;
  fireAt: Date;
}

export interface Digest {
  id: string;
  userId: string;
  windowEnd: Date;
  deliveredAt: Date;
  items: DigestItem[];
}

/** A delivered digest with what it held, oldest reminder first; undefined if there is none. */
export async function findDigest(db: Db, id: string): Promise<Digest | undefined> {
  const [digest] = await db<Omit<Digest, 'items'>[]>`
    SELECT id, user_id, window_end, delivered_at FROM digests WHERE id = ${id}`;
  if (!digest) return undefined;
  const items = await db<DigestItem[]>`
    SELECT d.task_id, d.reminder_id, t.title, d.fire_at
    FROM deferred_reminders d JOIN tasks t ON t.id = d.task_id
    WHERE d.digest_id = ${id}
    ORDER BY d.fire_at, d.idempotency_key`;
  return { ...digest, items };
}

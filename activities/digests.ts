import { findDigest, insertDigest, lockPendingDeferrals, settleDeferrals } from '../db/digests.js';
import { insertNotification } from '../db/notifications.js';
import { appendEvent } from '../db/outbox.js';
import { transaction, type Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import type { TaskId, UserId } from '../domain/ids.js';
import { EventSource } from '../domain/events.js';
import { fireAtOf } from '../domain/reminder.js';
import { randomUUID } from 'node:crypto';

export interface DeliverDigestInput {
  userId: string;
  /** The end of the quiet hours: every deferral due by then goes in. */
  windowEnd: string;
  /** Chosen by the workflow, so a retried attempt finds the digest it already delivered. */
  digestId: string;
}

export interface DigestOutcome {
  digestId: string;
  reminders: number;
}

export interface DigestActivityDeps {
  sql: Sql;
  now?: () => Date;
}

export function createDigestActivities({ sql, now = () => new Date() }: DigestActivityDeps) {
  return {
    /**
     * Delivers the user's deferred reminders as one digest: a notification per reminder (same
     * idempotency key as an undeferred one, so it can never arrive twice) and one
     * `reminder.digest` event, in one transaction. A deferral whose task was completed or
     * deleted, or whose reminder was removed, dismissed or moved meanwhile, is dropped. null:
     * nothing was left to deliver.
     */
    async deliverDigest(input: DeliverDigestInput): Promise<DigestOutcome | null> {
      const userId = input.userId as UserId;
      return transaction(sql, async (tx) => {
        const done = await findDigest(tx, input.digestId);
        if (done) return { digestId: done.id, reminders: done.items.length };
        const pending = await lockPendingDeferrals(tx, userId, new Date(input.windowEnd));
        const keep: typeof pending = [];
        const dropped = new Map<string, string[]>();
        const drop = (key: string, reason: string) =>
          dropped.set(reason, [...(dropped.get(reason) ?? []), key]);
        const titles = new Map<string, string>();
        for (const d of pending) {
          const task = await findTaskById(tx, d.taskId as TaskId);
          const reminder = task?.reminders.find((r) => r.id === d.reminderId);
          if (!task || task.status !== 'OPEN') drop(d.idempotencyKey, 'task no longer open');
          else if (
            !reminder ||
            reminder.dismissedAt ||
            fireAtOf(reminder, task.dueAt)?.getTime() !== d.fireAt.getTime()
          )
            drop(d.idempotencyKey, 'reminder removed, dismissed or moved');
          else {
            keep.push(d);
            titles.set(d.idempotencyKey, task.title);
          }
        }
        for (const [reason, keys] of dropped) await settleDeferrals(tx, keys, { reason });
        if (keep.length === 0) return null;

        const deliveredAt = now();
        await insertDigest(tx, {
          id: input.digestId,
          userId,
          windowEnd: new Date(input.windowEnd),
        });
        for (const d of keep) {
          await insertNotification(tx, {
            id: randomUUID(),
            idempotencyKey: d.idempotencyKey,
            userId,
            taskId: d.taskId,
            reminderId: d.reminderId,
            fireAt: d.fireAt,
            late: false,
            missed: false,
            digestId: input.digestId,
          });
        }
        await settleDeferrals(
          tx,
          keep.map((d) => d.idempotencyKey),
          { digestId: input.digestId },
        );
        await appendEvent(tx, {
          type: 'reminder.digest',
          source: EventSource.worker,
          subject: input.digestId,
          userId,
          time: deliveredAt,
          data: {
            digestId: input.digestId,
            windowEnd: new Date(input.windowEnd).toISOString(),
            deliveredAt: deliveredAt.toISOString(),
            reminders: keep.map((d) => ({
              taskId: d.taskId,
              reminderId: d.reminderId,
              title: titles.get(d.idempotencyKey)!,
              fireAt: d.fireAt.toISOString(),
            })),
          },
        });
        return { digestId: input.digestId, reminders: keep.length };
      });
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;

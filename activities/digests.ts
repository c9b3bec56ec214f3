import { findDigest, insertDigest, lockPendingDeferrals, settleDeferrals } from '../db/digests.js';
import { insertNotification } from '../db/notifications.js';
import { appendEvent } from '../db/outbox.js';
import { insertSilentFiring } from '../db/silent-firings.js';
import { getSettings } from '../db/users.js';
import { NotificationPreferences } from '../domain/user.js';
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
     * nothing was left to deliver. A deferral whose task was muted meanwhile is dropped from the
     * digest and recorded as a muted firing (with its `reminder.fired` event marked `muted`), as
     * it would have been had it come due then. With the user's inApp preference off, the digest
     * makes no notification rows: its firings are recorded without them and its event says
     * `inApp: false`; e-mail and webhook still get the digest.
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
        const muted: typeof pending = [];
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
          else if (task.muted) {
            drop(d.idempotencyKey, 'task muted');
            muted.push(d);
            titles.set(d.idempotencyKey, task.title);
          } else {
            keep.push(d);
            titles.set(d.idempotencyKey, task.title);
          }
        }
        for (const [reason, keys] of dropped) await settleDeferrals(tx, keys, { reason });
        const deliveredAt = now();
        for (const d of muted) {
          const recorded = await insertSilentFiring(tx, {
            ...d,
            late: false,
            missed: false,
            muted: true,
          });
          if (!recorded) continue;
          await appendEvent(tx, {
            type: 'reminder.fired',
            source: EventSource.worker,
            subject: d.taskId,
            userId,
            time: deliveredAt,
            data: {
              taskId: d.taskId as TaskId,
              reminderId: d.reminderId,
              title: titles.get(d.idempotencyKey)!,
              fireAt: d.fireAt.toISOString(),
              firedAt: deliveredAt.toISOString(),
              late: false,
              inApp: false,
              muted: true,
            },
          });
        }
        if (keep.length === 0) return null;

        const { inApp } = NotificationPreferences.parse(
          (await getSettings(tx, userId)).notificationPreferences,
        );
        await insertDigest(tx, {
          id: input.digestId,
          userId,
          windowEnd: new Date(input.windowEnd),
        });
        for (const d of keep) {
          const firing = {
            idempotencyKey: d.idempotencyKey,
            userId,
            taskId: d.taskId,
            reminderId: d.reminderId,
            fireAt: d.fireAt,
            late: false,
            missed: false,
            digestId: input.digestId,
          };
          if (inApp) await insertNotification(tx, { ...firing, id: randomUUID() });
          else await insertSilentFiring(tx, { ...firing, muted: false });
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
            ...(inApp ? {} : { inApp: false }),
          },
        });
        return { digestId: input.digestId, reminders: keep.length };
      });
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;

import { randomUUID } from 'node:crypto';
import type { TaskId, UserId } from '../domain/ids.js';
import { EventSource } from '../domain/events.js';
import { findDeferral, insertDeferral } from '../db/digests.js';
import { insertNotification } from '../db/notifications.js';
import { appendEvent } from '../db/outbox.js';
import { firingRecorded, insertSilentFiring } from '../db/silent-firings.js';
import { transaction, type Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import { getSettings } from '../db/users.js';
import { decideDelivery, type DeliveryOutcome } from '../domain/reminder-delivery.js';
import { deliveryKey } from '../domain/reminder-keys.js';

export type { DeliveryOutcome } from '../domain/reminder-delivery.js';

export interface DeliverReminderInput {
  taskId: string;
  userId: string;
  reminderId: string;
  fireAt: string;
}

/** Makes sure a digest workflow will deliver the user's deferrals when the window ends. */
export type ScheduleDigest = (userId: string, windowEnd: Date) => Promise<void>;

export interface ReminderActivityDeps {
  sql: Sql;
  now?: () => Date;
  /** A reminder this late (after an outage) is recorded as missed, not sent. Default 1 h. */
  graceMs?: number;
  /** A reminder this late is marked late. Default 1 min. */
  lateAfterMs?: number;
  scheduleDigest: ScheduleDigest;
}

export function createReminderActivities({
  sql,
  now = () => new Date(),
  graceMs = 3_600_000,
  lateAfterMs = 60_000,
  scheduleDigest,
}: ReminderActivityDeps) {
  return {
    /**
     * Records the notification and its `reminder.fired` event in one transaction, keyed by
     * `<taskId>:<reminderId>:<fireAt>`: a retried attempt (worker crash, timeout) finds the key
     * and does nothing, so the user is notified exactly once. The relay publishes the event.
     * Inside the user's quiet hours the reminder is recorded as deferred instead, and the digest
     * for the end of the window is scheduled (again, on a retry: that is idempotent).
     * What to write is decided by domain/reminder-delivery.ts from the rows read here.
     */
    async deliverReminder(input: DeliverReminderInput): Promise<DeliveryOutcome> {
      const taskId = input.taskId as TaskId;
      const userId = input.userId as UserId;
      const fireAt = new Date(input.fireAt);
      const key = deliveryKey(taskId, input.reminderId, fireAt);
      const due = { taskId, userId, reminderId: input.reminderId, fireAt };
      let digestAt: Date | undefined;
      const outcome = await transaction(sql, async (tx): Promise<DeliveryOutcome> => {
        const facts = {
          task: await findTaskById(tx, taskId),
          deferral: await findDeferral(tx, key),
          fired: await firingRecorded(tx, key),
          settings: await getSettings(tx, userId),
        };
        const firedAt = now();
        const decision = decideDelivery(due, facts, firedAt, { graceMs, lateAfterMs });
        if (decision.kind === 'none') return decision.outcome;
        if (decision.kind === 'defer') {
          if (decision.record) {
            await insertDeferral(tx, {
              idempotencyKey: key,
              ...due,
              deferredUntil: decision.until,
            });
          }
          digestAt = decision.until;
          return 'deferred';
        }
        const { inApp, late, missed, muted } = decision.firing;
        const firing = { idempotencyKey: key, ...due, late, missed };
        // The unique key refuses a firing a concurrent attempt recorded after the read above.
        const recorded = inApp
          ? await insertNotification(tx, { ...firing, id: randomUUID() })
          : await insertSilentFiring(tx, { ...firing, muted });
        if (!recorded) return 'duplicate';
        await appendEvent(tx, {
          ...decision.event,
          source: EventSource.worker,
          time: firedAt,
          subject: taskId,
          userId,
        });
        return decision.outcome;
      });
      // After the commit: the digest must find the deferral when it runs.
      if (outcome === 'deferred' && digestAt) await scheduleDigest(userId, digestAt);
      return outcome;
    },
  };
}

export type ReminderActivities = ReturnType<typeof createReminderActivities>;

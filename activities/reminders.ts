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
import { NotificationPreferences } from '../domain/user.js';
import { quietHoursEnd } from '../domain/quiet-hours.js';
import { fireAtOf } from '../domain/reminder.js';
import { deliveryKey } from '../domain/reminder-keys.js';

export interface DeliverReminderInput {
  taskId: string;
  userId: string;
  reminderId: string;
  fireAt: string;
}

/**
 * `sent`: delivered now (`late` if after its time, within the grace period); `missed`: its time
 * passed beyond the grace period, so it was recorded instead of sent; `deferred`: it came due in
 * the user's quiet hours and waits for their digest; `duplicate`: an earlier attempt delivered
 * it; `skipped`: the task is no longer open, or the reminder no longer fires at that time
 * (removed, dismissed, moved) and the workflow's state is behind; `muted`: the task is muted, so
 * it was recorded and sent to no channel (the workflow sends e-mail and webhook only after
 * `sent` or `late`, so no workflow change was needed for it).
 */
export type DeliveryOutcome =
  'sent' | 'late' | 'missed' | 'deferred' | 'duplicate' | 'skipped' | 'muted';

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
     *
     * The task row read here decides about the mute (and the settings row about inApp), not
     * the workflow: a muted task's reminder is recorded as a silent firing and its event says
     * `muted`; with inApp off the firing is recorded without a notification row (nothing to
     * list or badge) and its event says `inApp: false`, while e-mail and webhook still go out.
     */
    async deliverReminder(input: DeliverReminderInput): Promise<DeliveryOutcome> {
      const taskId = input.taskId as TaskId;
      const userId = input.userId as UserId;
      const fireAt = new Date(input.fireAt);
      const key = deliveryKey(taskId, input.reminderId, fireAt);
      let digestAt: Date | undefined;
      const outcome = await transaction(sql, async (tx): Promise<DeliveryOutcome> => {
        const task = await findTaskById(tx, taskId);
        if (!task || task.userId !== userId || task.status !== 'OPEN') return 'skipped';
        // The database, not the workflow's copy, says whether this reminder fires at this time.
        const reminder = task.reminders.find((r) => r.id === input.reminderId);
        if (
          !reminder ||
          reminder.dismissedAt ||
          fireAtOf(reminder, task.dueAt)?.getTime() !== fireAt.getTime()
        ) {
          return 'skipped';
        }
        const deferral = await findDeferral(tx, key);
        if (deferral) {
          if (deferral.settledAt) return 'duplicate';
          digestAt = deferral.deferredUntil;
          return 'deferred';
        }
        // Either table: inApp (or the mute) may have changed between two attempts.
        if (await firingRecorded(tx, key)) return 'duplicate';
        const firedAt = now();
        const lateness = firedAt.getTime() - fireAt.getTime();
        const missed = lateness > graceMs;
        const late = lateness > lateAfterMs;
        const fired = { idempotencyKey: key, userId, taskId, reminderId: input.reminderId, fireAt };
        const event = { source: EventSource.worker, time: firedAt, subject: taskId, userId };
        const what = {
          taskId,
          reminderId: input.reminderId,
          title: task.title,
          fireAt: fireAt.toISOString(),
        };
        // Before quiet hours and the grace period: a muted reminder goes nowhere in any case.
        if (task.muted) {
          await insertSilentFiring(tx, { ...fired, late, missed, muted: true });
          await appendEvent(tx, {
            ...event,
            type: 'reminder.fired',
            data: { ...what, firedAt: firedAt.toISOString(), late, inApp: false, muted: true },
          });
          return 'muted';
        }
        const settings = await getSettings(tx, userId);
        const quietUntil =
          !missed && settings.quietHours
            ? quietHoursEnd(firedAt, settings.timeZone, settings.quietHours)
            : null;
        if (quietUntil) {
          await insertDeferral(tx, {
            idempotencyKey: key,
            userId,
            taskId,
            reminderId: input.reminderId,
            fireAt,
            deferredUntil: quietUntil,
          });
          digestAt = quietUntil;
          return 'deferred';
        }
        const { inApp } = NotificationPreferences.parse(settings.notificationPreferences);
        const recorded = inApp
          ? await insertNotification(tx, { ...fired, id: randomUUID(), late, missed })
          : await insertSilentFiring(tx, { ...fired, late, missed, muted: false });
        if (!recorded) return 'duplicate';
        // Only the exception is marked: events of users with inApp on read as they always did.
        const silent = inApp ? {} : { inApp: false };
        if (missed) {
          await appendEvent(tx, {
            ...event,
            type: 'reminder.missed',
            data: { ...what, recordedAt: firedAt.toISOString(), ...silent },
          });
          return 'missed';
        }
        await appendEvent(tx, {
          ...event,
          type: 'reminder.fired',
          data: { ...what, firedAt: firedAt.toISOString(), late, ...silent },
        });
        return late ? 'late' : 'sent';
      });
      // After the commit: the digest must find the deferral when it runs.
      if (outcome === 'deferred' && digestAt) await scheduleDigest(userId, digestAt);
      return outcome;
    },
  };
}

export type ReminderActivities = ReturnType<typeof createReminderActivities>;

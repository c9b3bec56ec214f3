import { randomUUID } from 'node:crypto';
import type { TaskId, UserId } from '../domain/ids.js';
import { insertNotification } from '../db/notifications.js';
import { appendEvent } from '../db/outbox.js';
import type { Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';
import { fireAtOf } from '../domain/reminder.js';

export interface DeliverReminderInput {
  taskId: string;
  userId: string;
  reminderId: string;
  fireAt: string;
}

/**
 * `sent`: delivered now (`late` if after its time, within the grace period); `missed`: its time
 * passed beyond the grace period, so it was recorded instead of sent; `duplicate`: an earlier
 * attempt delivered it; `skipped`: the task is no longer open, or the reminder no longer fires
 * at that time (removed, dismissed, moved) and the workflow's state is behind.
 */
export type DeliveryOutcome = 'sent' | 'late' | 'missed' | 'duplicate' | 'skipped';

export interface ReminderActivityDeps {
  sql: Sql;
  now?: () => Date;
  /** A reminder this late (after an outage) is recorded as missed, not sent. Default 1 h. */
  graceMs?: number;
  /** A reminder this late is marked late. Default 1 min. */
  lateAfterMs?: number;
}

export function createReminderActivities({
  sql,
  now = () => new Date(),
  graceMs = 3_600_000,
  lateAfterMs = 60_000,
}: ReminderActivityDeps) {
  return {
    /**
     * Records the notification and its `reminder.fired` event in one transaction, keyed by
     * `<taskId>:<reminderId>:<fireAt>`: a retried attempt (worker crash, timeout) finds the key
     * and does nothing, so the user is notified exactly once. The relay publishes the event.
     */
    async deliverReminder(input: DeliverReminderInput): Promise<DeliveryOutcome> {
      const taskId = input.taskId as TaskId;
      const userId = input.userId as UserId;
      const fireAt = new Date(input.fireAt);
      return sql.begin(async (tx) => {
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
        const firedAt = now();
        const lateness = firedAt.getTime() - fireAt.getTime();
        const missed = lateness > graceMs;
        const late = lateness > lateAfterMs;
        const recorded = await insertNotification(tx, {
          id: randomUUID(),
          idempotencyKey: `${taskId}:${input.reminderId}:${fireAt.toISOString()}`,
          userId,
          taskId,
          reminderId: input.reminderId,
          fireAt,
          late,
          missed,
        });
        if (!recorded) return 'duplicate';
        const event = { source: 'tickler/worker', time: firedAt, subject: taskId, userId };
        const what = {
          taskId,
          reminderId: input.reminderId,
          title: task.title,
          fireAt: fireAt.toISOString(),
        };
        if (missed) {
          await appendEvent(tx, {
            ...event,
            type: 'reminder.missed',
            data: { ...what, recordedAt: firedAt.toISOString() },
          });
          return 'missed';
        }
        await appendEvent(tx, {
          ...event,
          type: 'reminder.fired',
          data: { ...what, firedAt: firedAt.toISOString(), late },
        });
        return late ? 'late' : 'sent';
      });
    },
  };
}

export type ReminderActivities = ReturnType<typeof createReminderActivities>;

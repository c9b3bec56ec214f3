import { randomUUID } from 'node:crypto';
import type { TaskId, UserId } from '../domain/ids.js';
import { insertNotification } from '../db/notifications.js';
import { appendEvent } from '../db/outbox.js';
import type { Sql } from '../db/sql.js';
import { findTaskById } from '../db/tasks.js';

export interface DeliverReminderInput {
  taskId: string;
  userId: string;
  reminderId: string;
  fireAt: string;
}

/** `sent`: delivered now; `duplicate`: an earlier attempt delivered it; `skipped`: task not open. */
export type DeliveryOutcome = 'sent' | 'duplicate' | 'skipped';

export interface ReminderActivityDeps {
  sql: Sql;
  now?: () => Date;
}

export function createReminderActivities({ sql, now = () => new Date() }: ReminderActivityDeps) {
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
        const recorded = await insertNotification(tx, {
          id: randomUUID(),
          idempotencyKey: `${taskId}:${input.reminderId}:${fireAt.toISOString()}`,
          userId,
          taskId,
          reminderId: input.reminderId,
          fireAt,
        });
        if (!recorded) return 'duplicate';
        const firedAt = now();
        await appendEvent(tx, {
          type: 'reminder.fired',
          source: 'tickler/worker',
          time: firedAt,
          subject: taskId,
          userId,
          data: {
            taskId,
            reminderId: input.reminderId,
            title: task.title,
            fireAt: fireAt.toISOString(),
            firedAt: firedAt.toISOString(),
          },
        });
        return 'sent';
      });
    },
  };
}

export type ReminderActivities = ReturnType<typeof createReminderActivities>;

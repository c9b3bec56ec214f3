import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { OutboxRow } from '../db/outbox.js';
import type { TicklerEvent } from '../domain/events.js';
import type { EventPublisher } from '../platform/publisher.js';
import {
  REMINDER_TASK_QUEUE,
  reminderWorkflowId,
  rescheduleSignal,
} from '../workflows/reminder-contract.js';
import { reminderWorkflow } from '../workflows/reminder.js';
import {
  NextFireAtKey,
  TaskIdKey,
  TaskStateKey,
  UserIdKey,
} from '../workflows/search-attributes.js';

export interface EventDeliveryDeps {
  temporal: Client;
  publisher: EventPublisher;
}

/**
 * One outbox row's side effects, in order: the Temporal signals its event implies, then the
 * Dapr publish. Both are idempotent (signals carry the task version; the event id is fixed),
 * so a row delivered twice changes nothing.
 */
export function createEventDelivery({ temporal, publisher }: EventDeliveryDeps) {
  async function signalWorkflows(event: TicklerEvent): Promise<void> {
    switch (event.type) {
      case 'task.created': {
        const { task } = event.data;
        if (task.dueAt === null || task.remindBeforeMs === null) return;
        const fireAt = new Date(Date.parse(task.dueAt) - task.remindBeforeMs);
        // signalWithStart: starts the workflow if it is not running, signals it either way.
        await temporal.workflow.signalWithStart(reminderWorkflow, {
          workflowId: reminderWorkflowId(task.id),
          taskQueue: REMINDER_TASK_QUEUE,
          args: [{ taskId: task.id, userId: event.userid }],
          signal: rescheduleSignal,
          signalArgs: [
            {
              version: task.version,
              title: task.title,
              reminders: [{ id: 'due', fireAt: fireAt.toISOString() }],
            },
          ],
          memo: { title: task.title },
          typedSearchAttributes: new TypedSearchAttributes([
            { key: UserIdKey, value: event.userid },
            { key: TaskIdKey, value: task.id },
            { key: TaskStateKey, value: 'OPEN' },
            { key: NextFireAtKey, value: fireAt },
          ]),
        });
        return;
      }
      case 'reminder.fired':
        return;
    }
  }

  return async (row: OutboxRow): Promise<void> => {
    await signalWorkflows(row.event);
    await publisher.publish(row.topic, row.event);
  };
}

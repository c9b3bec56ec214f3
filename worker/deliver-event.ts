import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { OutboxRow } from '../db/outbox.js';
import type { TaskSnapshotV1, TicklerEvent } from '../domain/events.js';
import type { EventPublisher } from '../platform/publisher.js';
import {
  completeSignal,
  deleteSignal,
  REMINDER_TASK_QUEUE,
  reminderWorkflowId,
  reopenSignal,
  rescheduleSignal,
  type ReminderState,
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
 * The reminders a task state arms. A reminder whose time had already passed when the change
 * was made is not armed (judged by the event's time, not the relay's clock, so an outage
 * between the two never drops a reminder).
 */
export function reminderState(task: TaskSnapshotV1, changedAt: Date): ReminderState {
  const fireAt =
    task.dueAt && task.remindBeforeMs !== null
      ? Date.parse(task.dueAt) - task.remindBeforeMs
      : null;
  const armed = fireAt !== null && fireAt > changedAt.getTime() && task.status === 'OPEN';
  return {
    version: task.version,
    title: task.title,
    reminders: armed ? [{ id: 'due', fireAt: new Date(fireAt).toISOString() }] : [],
  };
}

/**
 * One outbox row's side effects, in order: the Temporal signals its event implies, then the
 * Dapr publish. Both are idempotent (signals carry the task version; the event id is fixed),
 * so a row delivered twice changes nothing.
 */
export function createEventDelivery({ temporal, publisher }: EventDeliveryDeps) {
  // signalWithStart: starts the workflow if it is not running, signals it either way.
  async function arm(event: TicklerEvent, task: TaskSnapshotV1, signal: typeof rescheduleSignal) {
    const state = reminderState(task, new Date(event.time));
    if (state.reminders.length === 0) return notify(task.id, rescheduleSignal, state);
    await temporal.workflow.signalWithStart(reminderWorkflow, {
      workflowId: reminderWorkflowId(task.id),
      taskQueue: REMINDER_TASK_QUEUE,
      args: [{ taskId: task.id, userId: event.userid }],
      signal,
      signalArgs: [state],
      memo: { title: task.title },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: UserIdKey, value: event.userid },
        { key: TaskIdKey, value: task.id },
        { key: TaskStateKey, value: task.status },
        { key: NextFireAtKey, value: new Date(state.reminders[0]!.fireAt) },
      ]),
    });
  }

  /** Signals a running workflow; a task without one has nothing to stop or change. */
  async function notify<A extends unknown[]>(taskId: string, signal: { name: string }, ...args: A) {
    try {
      await temporal.workflow.getHandle(reminderWorkflowId(taskId)).signal(signal.name, ...args);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  async function signalWorkflows(event: TicklerEvent): Promise<void> {
    switch (event.type) {
      case 'task.created':
        return arm(event, event.data.task, rescheduleSignal);
      case 'task.updated': {
        const { changes, task } = event.data;
        if ('dueAt' in changes || 'remindBeforeMs' in changes || 'title' in changes) {
          await arm(event, task, rescheduleSignal);
        }
        return;
      }
      case 'task.reopened':
        return arm(event, event.data.task, reopenSignal);
      case 'task.completed':
        return notify(event.subject, completeSignal, { version: event.data.task.version });
      case 'task.deleted':
        return notify(event.subject, deleteSignal);
      case 'reminder.fired':
        return;
    }
  }

  return async (row: OutboxRow): Promise<void> => {
    await signalWorkflows(row.event);
    await publisher.publish(row.topic, row.event);
  };
}

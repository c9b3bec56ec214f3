import { defineSignal } from '@temporalio/workflow';

// The reminder workflow's contract, shared by the workflow and its callers (the relay).
// Plain types only: no zod in the workflow bundle; callers validate before they signal.

export const reminderWorkflowId = (taskId: string): string => `reminder:${taskId}`;

export interface ReminderWorkflowInput {
  taskId: string;
  userId: string;
  /** Set only by the workflow itself when it continues as new: what the last run knew. */
  carried?: ReminderCarry;
}

/** What one run of the reminder workflow hands to the next when it continues as new. */
export interface ReminderCarry {
  /** The newest state the last run accepted (an older version still never wins). */
  state: ReminderSchedule;
  /** `<reminderId>@<fireAt>` of the reminders in `state` that have already fired. */
  fired: string[];
}

export interface ReminderSpec {
  /** Stable within the task: part of the delivery idempotency key. */
  id: string;
  /** ISO-8601 instant. */
  fireAt: string;
}

/**
 * The task's whole reminder state as of `version`. Sending the full state rather than a diff
 * makes redelivery harmless: the same or an older version changes nothing.
 */
export interface ReminderSchedule {
  version: number;
  title: string;
  reminders: ReminderSpec[];
}

export const rescheduleSignal = defineSignal<[ReminderSchedule]>('reschedule');
export const completeSignal = defineSignal<[{ version: number }]>('complete');
export const reopenSignal = defineSignal<[ReminderSchedule]>('reopen');
export const deleteSignal = defineSignal('delete');

import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { OutboxRow } from '../db/outbox.js';
import { AppError, ErrorCode } from '../domain/errors.js';
import type {
  SeriesChangeKind,
  SeriesSnapshotV1,
  TaskSnapshotV1,
  TicklerEvent,
} from '../domain/events.js';
import { fireAtOf, isArmed } from '../domain/reminder.js';
import { deliverEach, type DeliverBatch } from './relay.js';
import { readable } from './stored-event.js';
import {
  completeSignal,
  deleteSignal,
  reminderWorkflowId,
  reopenSignal,
  rescheduleSignal,
  type ReminderSchedule,
} from '../workflows/reminder-contract.js';
import { WORKER_TASK_QUEUE } from '../workflows/task-queue.js';
import { reminderWorkflow } from '../workflows/reminder.js';
import {
  NextFireAtKey,
  SeriesIdKey,
  TaskIdKey,
  TaskStateKey,
  UserIdKey,
} from '../workflows/search-attributes.js';
import {
  editSignal,
  occurrenceCompletedSignal,
  occurrenceDeletedSignal,
  pauseSignal,
  resumeSignal,
  seriesWorkflowId,
  skipSignal,
  stopSignal,
} from '../workflows/series-contract.js';
import { seriesWorkflow } from '../workflows/series.js';
import {
  reminderDetails,
  reminderSummary,
  seriesDetails,
  seriesSummary,
} from '../workflows/summaries.js';
import { seriesSummaryOf } from '../activities/series-summary.js';

const GRPC_INVALID_ARGUMENT = 3;
const isServiceError = (err: unknown, code: number): boolean =>
  typeof err === 'object' &&
  err !== null &&
  ((err as { code?: unknown }).code === code ||
    (err as { cause?: { code?: unknown } }).cause?.code === code);

type SeriesSignalDef =
  typeof editSignal | typeof occurrenceCompletedSignal | typeof occurrenceDeletedSignal;

/** The series workflow's signal for each kind of series.updated. */
const signalFor: Record<SeriesChangeKind, SeriesSignalDef> = {
  EDITED: editSignal,
  PAUSED: pauseSignal,
  RESUMED: resumeSignal,
  SKIPPED: skipSignal,
  STOPPED: stopSignal,
};

export interface SignalDeliveryDeps {
  temporal: Client;
  /** Where new reminder and series workflows are started. */
  taskQueue?: string;
  /** How many rows of a batch are signalled at once. */
  concurrency?: number;
}

/**
 * The reminders a task state arms, soonest first: those of an open task that are not dismissed
 * and whose time had not already passed when they were set (see domain/reminder.ts).
 */
export function reminderScheduleOf(task: TaskSnapshotV1): ReminderSchedule {
  const dueAt = task.dueAt ? new Date(task.dueAt) : null;
  const reminders =
    task.status !== 'OPEN'
      ? []
      : task.reminders
          .map((r) => ({
            id: r.id,
            offsetMs: r.offsetMs,
            at: r.at ? new Date(r.at) : null,
            snoozedUntil: r.snoozedUntil ? new Date(r.snoozedUntil) : null,
            dismissedAt: r.dismissed ? new Date(r.armedAt) : null,
            armedAt: new Date(r.armedAt),
          }))
          .filter((r) => isArmed(r, dueAt))
          .map((r) => ({ id: r.id, fireAt: fireAtOf(r, dueAt)!.toISOString() }))
          .sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
  return { version: task.version, title: task.title, reminders };
}

/**
 * The Temporal signals an outbox row's event implies, starting the reminder or series workflow
 * where one must run. Idempotent: signals carry the task or series version, so a row delivered
 * twice changes nothing.
 */
export function createSignalDelivery({
  temporal,
  taskQueue = WORKER_TASK_QUEUE,
  concurrency,
}: SignalDeliveryDeps): DeliverBatch {
  // signalWithStart: starts the workflow if it is not running, signals it either way.
  async function arm(event: TicklerEvent, task: TaskSnapshotV1, signal: typeof rescheduleSignal) {
    const state = reminderScheduleOf(task);
    if (state.reminders.length === 0) {
      // A task just created has no workflow yet: nothing to tell.
      if (event.type === 'task.created') return;
      return notify(task.id, rescheduleSignal, state);
    }
    await temporal.workflow.signalWithStart(reminderWorkflow, {
      workflowId: reminderWorkflowId(task.id),
      taskQueue,
      args: [{ taskId: task.id, userId: event.userid }],
      signal,
      signalArgs: [state],
      memo: { title: task.title },
      // The web UI's line for this run (the current details follow later edits).
      staticSummary: reminderSummary(task.title),
      staticDetails: reminderDetails(task.id, event.userid),
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

  /** Starts the series' workflow if it is not running, and tells it what changed. */
  async function series(
    event: TicklerEvent,
    seriesId: string,
    signal: SeriesSignalDef,
    arg: object,
    summary: string,
  ) {
    await temporal.workflow.signalWithStart(seriesWorkflow, {
      workflowId: seriesWorkflowId(seriesId),
      taskQueue,
      args: [{ seriesId, userId: event.userid }],
      signal: signal as typeof editSignal,
      signalArgs: [arg as { version: number }],
      staticSummary: summary,
      staticDetails: seriesDetails(seriesId, event.userid),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: UserIdKey, value: event.userid },
        { key: SeriesIdKey, value: seriesId },
      ]),
    });
  }

  /** An occurrence completed or deleted: its series may have a next one to create. */
  async function occurrence(event: TicklerEvent, task: TaskSnapshotV1, signal: SeriesSignalDef) {
    // Only the occurrence is at hand, whose title is the series' (as it was when it was created).
    if (task.seriesId)
      await series(event, task.seriesId, signal, { taskId: task.id }, seriesSummary(task.title));
  }

  /** A series event: the series as it is now gives the summary. */
  function seriesEvent(event: TicklerEvent, s: SeriesSnapshotV1, signal: SeriesSignalDef) {
    const { title, rrule, dtstart, timeZone, exdates, mode } = s;
    const summary = seriesSummaryOf(title, { rrule, dtstart, timeZone, exdates }, mode);
    return series(event, s.id, signal, { version: s.version }, summary);
  }

  async function signalWorkflows(event: TicklerEvent): Promise<void> {
    switch (event.type) {
      case 'task.created':
        return arm(event, event.data.task, rescheduleSignal);
      case 'task.updated': {
        const { changes, task } = event.data;
        if ('dueAt' in changes || 'reminders' in changes || 'title' in changes) {
          await arm(event, task, rescheduleSignal);
        }
        return;
      }
      case 'task.reopened':
        return arm(event, event.data.task, reopenSignal);
      // The task's reminder workflow and its series' workflow are told at once: neither waits
      // for the other, and a retry of the row sends both again (each is idempotent).
      case 'task.completed':
        await Promise.all([
          notify(event.subject, completeSignal, { version: event.data.task.version }),
          occurrence(event, event.data.task, occurrenceCompletedSignal),
        ]);
        return;
      case 'task.deleted':
        await Promise.all([
          notify(event.subject, deleteSignal),
          occurrence(event, event.data.task, occurrenceDeletedSignal),
        ]);
        return;
      case 'series.created':
        return seriesEvent(event, event.data.series, editSignal);
      case 'series.updated':
        return seriesEvent(event, event.data.series, signalFor[event.data.change]);
      case 'reminder.snoozed':
      case 'reminder.dismissed':
        return arm(event, event.data.task, rescheduleSignal);
      case 'reminder.fired':
      case 'reminder.missed':
      case 'reminder.digest':
        return;
    }
  }

  return deliverEach(async (row: OutboxRow): Promise<void> => {
    try {
      await signalWorkflows(readable(row));
    } catch (err) {
      // Temporal refuses the request itself (too large, malformed): it will refuse it again.
      if (isServiceError(err, GRPC_INVALID_ARGUMENT))
        throw new AppError(ErrorCode.BAD_EVENT, `Temporal refused it: ${(err as Error).message}`);
      throw err;
    }
  }, concurrency);
}

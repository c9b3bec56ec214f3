import { randomUUID } from 'node:crypto';
import { toTaskSnapshot } from '../../domain/events.js';
import { idFromKey } from '../../domain/ids.js';
import { badInput, notFound, quotaExceeded } from '../../domain/errors.js';
import { fireAtOf, isArmed, type ReminderInput, type SnoozeInput } from '../../domain/reminder.js';
import type { Task } from '../../domain/task.js';
import {
  deleteReminder,
  dismissReminder as dismissRow,
  insertReminders,
  snoozeReminder as snoozeRow,
} from '../../db/reminders.js';
import { transaction, type Db } from '../../db/sql.js';
import { updateTaskRow } from '../../db/tasks.js';
import { quotasOf, type CommandContext } from '../command.js';
import { recordTaskEvent, lockTask, parseTaskId } from '../tasks/task-command.js';

// Reminder commands. Each changes the task's reminder set, bumps the task's version (the
// workflow accepts only newer states) and records the event the relay turns into a signal.

const ids = (t: Task) => t.reminders.map((r) => r.id);

/** The reminder rows changed: bump the task's version and read it back with them. */
const bump = (tx: Db, task: Task): Promise<Task> => updateTaskRow(tx, task.id, {});

async function recordReminderSetChange(tx: Db, ctx: CommandContext, before: Task): Promise<Task> {
  const after = await bump(tx, before);
  await recordTaskEvent(tx, ctx, after, 'task.updated', {
    task: toTaskSnapshot(after),
    changes: { reminders: { before: ids(before), after: ids(after) } },
  });
  return after;
}

export interface AddReminderResult {
  task: Task;
  reminderId: string;
  armed: boolean;
  message: string | null;
}

/** Adds a reminder; one whose time has already passed is kept but not armed, and says so. */
export async function addReminder(
  ctx: CommandContext,
  taskId: string,
  input: ReminderInput,
  idempotencyKey?: string | null,
): Promise<AddReminderResult> {
  const id = parseTaskId(taskId);
  // With a key, the reminder's id is the key's on this task: a retry finds the first one's.
  const reminderId = idempotencyKey ? idFromKey(`reminder:${id}`, idempotencyKey) : randomUUID();
  return transaction(ctx.sql, async (tx) => {
    const before = await lockTask(tx, ctx, id);
    const existing = before.reminders.find((r) => r.id === reminderId);
    if (existing) return added(before, reminderId);
    // The task lock serialises reminder changes of one task: the count cannot move meanwhile.
    const { remindersPerTask } = quotasOf(ctx);
    if (before.reminders.length >= remindersPerTask)
      throw quotaExceeded(
        'the task has as many reminders as it may have',
        remindersPerTask,
        'taskId',
      );
    if (input.offsetMs !== null && before.dueAt === null) {
      throw badInput([{ path: 'input', message: 'before/after needs the task to have a dueAt' }]);
    }
    await insertReminders(tx, [{ id: reminderId, taskId: id, userId: ctx.userId, ...input }]);
    return added(await recordReminderSetChange(tx, ctx, before), reminderId);
  });
}

/** The answer of addReminder: the task and whether the reminder will fire. */
function added(task: Task, reminderId: string): AddReminderResult {
  const reminder = task.reminders.find((r) => r.id === reminderId)!;
  const armed = isArmed(reminder, task.dueAt);
  return {
    task,
    reminderId,
    armed,
    message: armed
      ? null
      : `its time (${fireAtOf(reminder, task.dueAt)?.toISOString()}) has already passed: it will not fire`,
  };
}

export async function removeReminder(
  ctx: CommandContext,
  taskId: string,
  reminderId: string,
): Promise<Task> {
  const id = parseTaskId(taskId);
  return transaction(ctx.sql, async (tx) => {
    const before = await lockTask(tx, ctx, id);
    // A malformed id names no reminder: NOT_FOUND, not a failed uuid cast in the database.
    if (!before.reminders.some((r) => r.id === reminderId))
      throw notFound(`reminder ${reminderId}`);
    await deleteReminder(tx, id, reminderId);
    return recordReminderSetChange(tx, ctx, before);
  });
}

async function changeOne(
  ctx: CommandContext,
  taskId: string,
  reminderId: string,
  type: 'reminder.snoozed' | 'reminder.dismissed',
  apply: (tx: Db, task: Task) => Promise<void>,
): Promise<Task> {
  const id = parseTaskId(taskId);
  return transaction(ctx.sql, async (tx) => {
    const before = await lockTask(tx, ctx, id);
    if (!before.reminders.some((r) => r.id === reminderId))
      throw notFound(`reminder ${reminderId}`);
    await apply(tx, before);
    const after = await bump(tx, before);
    await recordTaskEvent(tx, ctx, after, type, { task: toTaskSnapshot(after), reminderId });
    return after;
  });
}

/** Fires the reminder again at `until`, or `for` from now; a snooze re-arms a fired reminder. */
export function snoozeReminder(
  ctx: CommandContext,
  input: SnoozeInput,
  now = new Date(),
): Promise<Task> {
  const until = input.until ?? new Date(now.getTime() + input.for!);
  if (until <= now)
    return Promise.reject(badInput([{ path: 'until', message: 'must be in the future' }]));
  return changeOne(ctx, input.taskId, input.reminderId, 'reminder.snoozed', (tx, task) =>
    snoozeRow(tx, task.id, input.reminderId, until),
  );
}

/** The reminder will not fire (until it is snoozed again). */
export function dismissReminder(
  ctx: CommandContext,
  taskId: string,
  reminderId: string,
): Promise<Task> {
  return changeOne(ctx, taskId, reminderId, 'reminder.dismissed', (tx, task) =>
    dismissRow(tx, task.id, reminderId),
  );
}

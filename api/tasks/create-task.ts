import { randomUUID } from 'node:crypto';
import { toTaskSnapshot } from '../../domain/events.js';
import { newTaskId } from '../../domain/ids.js';
import type { ReminderInput } from '../../domain/reminder.js';
import type { CreateTaskInput, Task } from '../../domain/task.js';
import { badInput, quotaExceeded } from '../../domain/errors.js';
import { insertReminders } from '../../db/reminders.js';
import { findTask, findTaskByIdempotencyKey, hasOpenTasks, insertTask } from '../../db/tasks.js';
import { lockUser } from '../../db/users.js';
import { nowOf, quotasOf, recordTaskEvent, type CommandContext } from './command.js';
import { checkOneDue, resolveDue } from './due-text.js';
import { transaction } from '../../db/sql.js';

/** The reminders a new task asks for; with a due date and none asked, the user's default. */
function requestedReminders(
  input: CreateTaskInput,
  defaultOffsetMs: number | null,
): ReminderInput[] {
  if (input.reminders != null) return input.reminders;
  if (input.remindBefore != null) return [{ offsetMs: -input.remindBefore, at: null }];
  if (input.dueAt != null && defaultOffsetMs !== null)
    return [{ offsetMs: -defaultOffsetMs, at: null }];
  return [];
}

/**
 * The task and its `task.created` event commit together or not at all: once the mutation is
 * acknowledged the event exists, and the relay will deliver it (reminder workflow, Kafka).
 * With an idempotency key, a retried create returns the task the first one made, and writes
 * nothing: the user lock serialises concurrent retries, so the second one sees the first.
 */
export async function createTask(ctx: CommandContext, input: CreateTaskInput): Promise<Task> {
  if (input.reminders != null && input.remindBefore != null) {
    throw badInput([
      { path: 'input.remindBefore', message: 'give either remindBefore or reminders, not both' },
    ]);
  }
  checkOneDue(input);
  if (input.dueAt == null && input.dueText == null) {
    if (input.remindBefore != null)
      throw badInput([{ path: 'input.remindBefore', message: 'needs a dueAt to be relative to' }]);
    const relative = (input.reminders ?? []).findIndex((r) => r.offsetMs !== null);
    if (relative >= 0)
      throw badInput([
        {
          path: `input.reminders.${relative}`,
          message: 'before/after needs a dueAt to be relative to',
        },
      ]);
  }
  return transaction(ctx.sql, async (tx) => {
    // Creates the user on first use and locks the row: concurrent retries of one idempotency
    // key take turns, so the second finds the first's task.
    const settings = await lockUser(tx, ctx.userId);
    if (input.idempotencyKey) {
      const existing = await findTaskByIdempotencyKey(tx, ctx.userId, input.idempotencyKey);
      if (existing) return existing;
    }
    const due = resolveDue(input, settings.timeZone, nowOf(ctx));
    // Under the user lock: concurrent creates cannot both take the last free place.
    const quotas = quotasOf(ctx);
    if (await hasOpenTasks(tx, ctx.userId, quotas.openTasks))
      throw quotaExceeded('too many open tasks', quotas.openTasks, 'input');
    const reminders = requestedReminders(due, settings.defaultReminderOffsetMs);
    if (reminders.length > quotas.remindersPerTask)
      throw quotaExceeded('too many reminders', quotas.remindersPerTask, 'input.reminders');
    const inserted = await insertTask(tx, {
      id: newTaskId(),
      userId: ctx.userId,
      title: input.title,
      description: input.description ?? '',
      priority: input.priority ?? 'NONE',
      tags: input.tags ?? [],
      dueAt: due.dueAt ?? null,
      allDay: due.allDay ?? false,
      idempotencyKey: input.idempotencyKey ?? null,
    });
    await insertReminders(
      tx,
      reminders.map((r) => ({
        id: randomUUID(),
        taskId: inserted.id,
        userId: ctx.userId,
        ...r,
      })),
    );
    const task = (await findTask(tx, ctx.userId, inserted.id))!;
    await recordTaskEvent(tx, ctx, task, 'task.created', { task: toTaskSnapshot(task) });
    return task;
  });
}

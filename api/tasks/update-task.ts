import { toTaskSnapshot } from '../../domain/events.js';
import { randomUUID } from 'node:crypto';
import {
  EDITABLE_FIELDS,
  type Task,
  type TaskEdits,
  type UpdateTaskInput,
} from '../../domain/task.js';
import { insertReminders, rearmRelativeReminders } from '../../db/reminders.js';
import { getSettings } from '../../db/users.js';
import { transaction, type Db } from '../../db/sql.js';
import { updateTaskRow } from '../../db/tasks.js';
import { nowOf, type CommandContext } from '../command.js';
import { recordTaskEvent, lockTask, parseTaskId } from './task-command.js';
import { checkOneDue, resolveDue } from './due-text.js';

const same = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date
    ? a.getTime() === b.getTime()
    : JSON.stringify(a) === JSON.stringify(b);

const wire = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/** The edits an update asks for: absent fields stay, null clears what may be empty. */
function requestedEdits(input: UpdateTaskInput): TaskEdits {
  const edits: TaskEdits = {};
  if (input.title !== undefined) edits.title = input.title;
  if (input.description !== undefined) edits.description = input.description ?? '';
  if (input.priority !== undefined) edits.priority = input.priority;
  if (input.tags !== undefined) edits.tags = input.tags ?? [];
  if (input.dueAt !== undefined) edits.dueAt = input.dueAt;
  if (input.allDay !== undefined) edits.allDay = input.allDay;
  if (input.muted !== undefined) edits.muted = input.muted;
  return edits;
}

/**
 * A partial update. Only fields whose value really changes are written and reported in
 * `task.updated` (before and after); an update that changes nothing writes nothing and keeps
 * the version. A moved due date moves the relative reminders with it (re-armed from now); a task
 * that gets its first due date, and has no reminders, gets the user's default reminder.
 */
export async function updateTask(ctx: CommandContext, input: UpdateTaskInput): Promise<Task> {
  const id = parseTaskId(input.id);
  checkOneDue(input);
  return transaction(ctx.sql, async (tx) => {
    const before = await lockTask(tx, ctx, id, input.expectedVersion);
    const due =
      input.dueText == null
        ? input
        : resolveDue(input, (await getSettings(tx, ctx.userId)).timeZone, nowOf(ctx));
    return applyEdits(tx, ctx, before, requestedEdits(due));
  });
}

/** Applies edits to a task the caller's transaction has locked (see updateTask). */
export async function applyEdits(
  tx: Db,
  ctx: CommandContext,
  before: Task,
  edits: TaskEdits,
): Promise<Task> {
  const id = before.id;
  const changed: TaskEdits = {};
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const field of EDITABLE_FIELDS) {
    if (!(field in edits) || same(edits[field], before[field])) continue;
    Object.assign(changed, { [field]: edits[field] });
    changes[field] = { before: wire(before[field]), after: wire(edits[field]) };
  }
  if (Object.keys(changed).length === 0) return before;

  if ('dueAt' in changed) {
    await rearmRelativeReminders(tx, id);
    if (before.dueAt === null && before.reminders.length === 0) {
      const { defaultReminderOffsetMs } = await getSettings(tx, ctx.userId);
      if (defaultReminderOffsetMs !== null) {
        await insertReminders(tx, [
          {
            id: randomUUID(),
            taskId: id,
            userId: ctx.userId,
            offsetMs: -defaultReminderOffsetMs,
            at: null,
          },
        ]);
        changes.reminders = { before: [], after: ['default'] };
      }
    }
  }
  const after = await updateTaskRow(tx, id, changed);
  await recordTaskEvent(tx, ctx, after, 'task.updated', { task: toTaskSnapshot(after), changes });
  return after;
}

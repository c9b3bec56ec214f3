import { toTaskSnapshot } from '../../domain/events.js';
import { notFound, quotaExceeded } from '../../domain/errors.js';
import type { Task, TaskStatus } from '../../domain/task.js';
import { transaction, type Db } from '../../db/sql.js';
import { findTasksForUpdate, hasOpenTasks, updateTaskRow } from '../../db/tasks.js';
import { lockUser } from '../../db/users.js';
import { quotasOf, type CommandContext } from '../command.js';
import { recordTaskEvent, parseTaskId } from './task-command.js';

export const MAX_BATCH = 100;

async function applyStatus(
  tx: Db,
  ctx: CommandContext,
  task: Task,
  status: TaskStatus,
): Promise<Task> {
  // Completing a completed task (or reopening an open one) is a no-op, not an error: a retried
  // request must not fail, and must not emit a second event.
  if (task.status === status) return task;
  const after = await updateTaskRow(tx, task.id, {
    status,
    completedAt: status === 'COMPLETED' ? new Date() : null,
  });
  await recordTaskEvent(
    tx,
    ctx,
    after,
    status === 'COMPLETED' ? 'task.completed' : 'task.reopened',
    {
      task: toTaskSnapshot(after),
    },
  );
  return after;
}

/** Refuses to reopen tasks when the open ones they would join are at the quota already. */
async function checkOpenQuota(tx: Db, ctx: CommandContext, tasks: Task[]): Promise<void> {
  const reopening = tasks.filter((t) => t.status !== 'OPEN').length;
  if (reopening === 0) return;
  const { openTasks } = quotasOf(ctx);
  if (await hasOpenTasks(tx, ctx.userId, openTasks - reopening + 1))
    throw quotaExceeded('too many open tasks', openTasks, 'id');
}

/**
 * Completes or reopens tasks, all or nothing: if any id is not one of the caller's tasks,
 * nothing changes and the error names it. Results come back in the order asked.
 */
export async function setStatus(
  ctx: CommandContext,
  ids: string[],
  status: TaskStatus,
): Promise<Task[]> {
  const taskIds = ids.map(parseTaskId);
  return transaction(ctx.sql, async (tx) => {
    const found = new Map(
      (await findTasksForUpdate(tx, ctx.userId, taskIds)).map((t) => [t.id as string, t]),
    );
    const missing = taskIds.find((id) => !found.has(id));
    if (missing) throw notFound(`task ${missing}`);
    // Reopening adds open tasks: the user lock keeps the count still until this commits. It is
    // taken after the task locks, in the lock order (db/series.ts), as recording the event would.
    if (status === 'OPEN') {
      await lockUser(tx, ctx.userId);
      await checkOpenQuota(tx, ctx, [...found.values()]);
    }
    const results = new Map<string, Task>();
    for (const id of taskIds) {
      if (!results.has(id)) results.set(id, await applyStatus(tx, ctx, found.get(id)!, status));
    }
    return taskIds.map((id) => results.get(id)!);
  });
}

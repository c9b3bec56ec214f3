import { toTaskSnapshot } from '../../domain/events.js';
import { newTaskId } from '../../domain/ids.js';
import type { CreateTaskInput, Task } from '../../domain/task.js';
import { badInput } from '../../domain/errors.js';
import { appendEvent } from '../../db/outbox.js';
import { findTaskByIdempotencyKey, insertTask } from '../../db/tasks.js';
import { lockUser } from '../../db/users.js';
import { EVENT_SOURCE, type CommandContext } from './command.js';

/**
 * The task and its `task.created` event commit together or not at all: once the mutation is
 * acknowledged the event exists, and the relay will deliver it (reminder workflow, Kafka).
 * With an idempotency key, a retried create returns the task the first one made, and writes
 * nothing: the user lock serialises concurrent retries, so the second one sees the first.
 */
export async function createTask(ctx: CommandContext, input: CreateTaskInput): Promise<Task> {
  if (input.remindBefore != null && input.dueAt == null) {
    throw badInput([{ path: 'input.remindBefore', message: 'needs a dueAt to be relative to' }]);
  }
  return ctx.sql.begin(async (tx) => {
    await lockUser(tx, ctx.userId);
    if (input.idempotencyKey) {
      const existing = await findTaskByIdempotencyKey(tx, ctx.userId, input.idempotencyKey);
      if (existing) return existing;
    }
    const task = await insertTask(tx, {
      id: newTaskId(),
      userId: ctx.userId,
      title: input.title,
      description: input.description ?? '',
      priority: input.priority ?? 'NONE',
      tags: input.tags ?? [],
      dueAt: input.dueAt ?? null,
      allDay: input.allDay ?? false,
      remindBeforeMs: input.remindBefore ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
    });
    await appendEvent(tx, {
      type: 'task.created',
      source: EVENT_SOURCE,
      time: task.createdAt,
      subject: task.id,
      userId: ctx.userId,
      traceparent: ctx.traceparent,
      data: { task: toTaskSnapshot(task) },
    });
    return task;
  });
}

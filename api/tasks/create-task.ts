import { buildEvent, topicOf, toTaskSnapshot } from '../../domain/events.js';
import { newEventId, newTaskId, type UserId } from '../../domain/ids.js';
import type { CreateTaskInput, Task } from '../../domain/task.js';
import { insertOutbox } from '../../db/outbox.js';
import type { Sql } from '../../db/sql.js';
import { insertTask } from '../../db/tasks.js';
import { nextEventSequence } from '../../db/users.js';

/**
 * The task and its `task.created` event commit together or not at all: once the mutation is
 * acknowledged the event exists, and the relay will deliver it (reminder workflow, Kafka).
 */
export async function createTask(
  sql: Sql,
  userId: UserId,
  input: CreateTaskInput,
  meta: { traceparent?: string | undefined } = {},
): Promise<Task> {
  return sql.begin(async (tx) => {
    // Also creates the user on first use, before the task's foreign key needs it.
    const sequence = await nextEventSequence(tx, userId);
    const task = await insertTask(tx, {
      id: newTaskId(),
      userId,
      title: input.title,
      dueAt: input.dueAt ?? null,
      remindBeforeMs: input.remindBefore ?? null,
    });
    const event = buildEvent({
      id: newEventId(),
      type: 'task.created',
      source: 'tickler/api',
      time: task.createdAt,
      subject: task.id,
      userId,
      sequence,
      traceparent: meta.traceparent,
      data: { task: toTaskSnapshot(task) },
    });
    await insertOutbox(tx, topicOf(event.type), event);
    return task;
  });
}

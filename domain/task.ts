import { z } from 'zod';
import { DurationMs } from './duration.js';
import { TaskId, UserId } from './ids.js';

export const TaskStatus = z.enum(['OPEN', 'COMPLETED']);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** An instant, written by clients as ISO-8601 with an offset (`2026-03-30T09:00:00+02:00`). */
export const Instant = z.iso
  .datetime({
    offset: true,
    error: 'must be an ISO-8601 date-time with an offset, e.g. 2026-03-30T09:00:00+02:00',
  })
  .transform((s) => new Date(s));

export const Task = z.object({
  id: TaskId,
  userId: UserId,
  title: z.string(),
  status: TaskStatus,
  dueAt: z.date().nullable(),
  remindBeforeMs: z.number().int().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int().positive(),
});
export type Task = z.infer<typeof Task>;

export const CreateTaskInput = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
    dueAt: Instant.nullish(),
    remindBefore: DurationMs.nullish(),
  })
  .superRefine((input, ctx) => {
    if (input.remindBefore != null && input.dueAt == null) {
      ctx.addIssue({
        code: 'custom',
        path: ['remindBefore'],
        message: 'needs a dueAt to be relative to',
      });
    }
    if (input.remindBefore != null && input.remindBefore < 0) {
      ctx.addIssue({ code: 'custom', path: ['remindBefore'], message: 'must not be negative' });
    }
  });
export type CreateTaskInput = z.infer<typeof CreateTaskInput>;

/** When the task's reminder fires, or null when it has none. */
export const reminderFireAt = (task: Pick<Task, 'dueAt' | 'remindBeforeMs'>): Date | null =>
  task.dueAt && task.remindBeforeMs != null
    ? new Date(task.dueAt.getTime() - task.remindBeforeMs)
    : null;

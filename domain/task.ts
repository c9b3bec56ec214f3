import { z } from 'zod';
import { DurationMs } from './duration.js';
import { TaskId, UserId } from './ids.js';

export const TaskStatus = z.enum(['OPEN', 'COMPLETED']);
export type TaskStatus = z.infer<typeof TaskStatus>;

const MIN_INSTANT = new Date('1970-01-01T00:00:00Z');
const MAX_INSTANT = new Date('9999-12-31T23:59:59Z');

/** Text as PostgreSQL can store it: a NUL character is refused rather than failing the insert. */
const NO_NUL = (s: string) => !s.includes('\u0000');

/** The longest reminder offset: a year before (or after) the due date. */
export const MAX_REMIND_OFFSET_MS = 366 * 86_400_000;

/** An instant, written by clients as ISO-8601 with an offset (`2026-03-30T09:00:00+02:00`). */
export const Instant = z.iso
  .datetime({
    offset: true,
    error: 'must be an ISO-8601 date-time with an offset, e.g. 2026-03-30T09:00:00+02:00',
  })
  .transform((s) => new Date(s))
  // Outside this range dates stop round-tripping (Node reads year 0001 back as 2001) and mean
  // nothing for a task anyway.
  .refine((d) => d >= MIN_INSTANT && d <= MAX_INSTANT, 'must be between 1970-01-01 and 9999-12-31');

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
    title: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(500, 'must be at most 500 characters')
      .refine(NO_NUL, 'must not contain NUL characters'),
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
    if (input.remindBefore != null && Math.abs(input.remindBefore) > MAX_REMIND_OFFSET_MS) {
      ctx.addIssue({ code: 'custom', path: ['remindBefore'], message: 'must be at most 366 days' });
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

import { z } from 'zod';
import { DurationMs } from './time/duration.js';
import { Instant } from './time/instant.js';
import { TaskId, UserId } from './ids.js';
import { MAX_REMIND_OFFSET_MS, MAX_REMINDERS, ReminderInput, type Reminder } from './reminder.js';
import { quote } from './errors.js';

export const TaskStatus = z.enum(['OPEN', 'COMPLETED']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Priority = z.enum(['NONE', 'LOW', 'MEDIUM', 'HIGH', 'URGENT']);
export type Priority = z.infer<typeof Priority>;
/** Stored as a small integer so that ordering by priority is ordering by urgency. */
export const priorityRank: Record<Priority, number> = {
  NONE: 0,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
  URGENT: 4,
};
export const priorityOfRank = (rank: number): Priority => Priority.options[rank] ?? 'NONE';

/** Text as PostgreSQL can store it: a NUL character is refused rather than failing the insert. */
const noNul = (s: string) => !s.includes('\u0000');

export const MAX_TAGS = 20;

/** A client's key for a create: a retry with the same key returns what the first one made. */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .refine(noNul, 'must not contain NUL characters');

export const Title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .refine(noNul, 'must not contain NUL characters');

export const Description = z
  .string()
  .max(10_000, 'must be at most 10000 characters')
  .refine(noNul, 'must not contain NUL characters');

export const Tag = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .refine(noNul, 'must not contain NUL characters');

/** Ordered as given; unique ignoring case (the first spelling is kept as written). */
export const Tags = z
  .array(Tag)
  .max(MAX_TAGS, `must have at most ${MAX_TAGS} tags`)
  .superRefine((tags, ctx) => {
    const seen = new Set<string>();
    tags.forEach((tag, i) => {
      const key = tag.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `${quote(tag)} is already a tag (tags ignore case)`,
        });
      }
      seen.add(key);
    });
  });

/** Shorthand for one reminder this long before the due date. */
export const RemindBefore = DurationMs.refine((ms) => ms >= 0, 'must not be negative').refine(
  (ms) => ms <= MAX_REMIND_OFFSET_MS,
  'must be at most 366 days',
);

export const Task = z.object({
  id: TaskId,
  userId: UserId,
  title: z.string(),
  description: z.string(),
  priority: Priority,
  tags: z.array(z.string()),
  status: TaskStatus,
  dueAt: z.date().nullable(),
  allDay: z.boolean(),
  /** Its reminders keep their schedule but go to no channel while this is set. */
  muted: z.boolean(),
  completedAt: z.date().nullable(),
  seriesId: z.string().nullable(),
  occurrenceStart: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int().positive(),
});
export type Task = z.infer<typeof Task> & { reminders: Reminder[] };

/**
 * A due date in words ("tomorrow at 5pm", "next Friday") or ISO-8601, read in the user's time
 * zone when the command runs (domain/natural-time.ts bounds and parses it).
 */
export const DueText = z.string();

export const CreateTaskInput = z.object({
  title: Title,
  description: Description.nullish(),
  priority: Priority.nullish(),
  tags: Tags.nullish(),
  dueAt: Instant.nullish(),
  /** Instead of dueAt; sets allDay too (a day without a time) unless allDay is given. */
  dueText: DueText.nullish(),
  allDay: z.boolean().nullish(),
  muted: z.boolean().nullish(),
  /** Shorthand for `reminders: [{ before }]`. */
  remindBefore: RemindBefore.nullish(),
  /** Absent with a due date: the user's default reminder. Empty: none. */
  reminders: z
    .array(ReminderInput)
    .max(MAX_REMINDERS, `must have at most ${MAX_REMINDERS} reminders`)
    .nullish(),
  /** A retried create with the same key returns the task the first one created. */
  idempotencyKey: IdempotencyKey.nullish(),
});
export type CreateTaskInput = z.infer<typeof CreateTaskInput>;

/**
 * An edit of a task's (or a series template's) common fields. Absent: unchanged. null: cleared
 * (for the fields that can be empty).
 */
export const TemplateEdit = z.object({
  id: z.string(),
  expectedVersion: z.number().int().positive().nullish(),
  title: Title.optional(),
  description: Description.nullish(),
  priority: Priority.optional(),
  tags: Tags.nullish(),
});

export const UpdateTaskInput = TemplateEdit.extend({
  dueAt: Instant.nullish(),
  /** Instead of dueAt; sets allDay too unless allDay is given. */
  dueText: DueText.nullish(),
  allDay: z.boolean().optional(),
  muted: z.boolean().optional(),
});
export type UpdateTaskInput = z.infer<typeof UpdateTaskInput>;

/** The fields a mutation may change; what task.updated reports as before/after. */
export const EDITABLE_FIELDS = [
  'title',
  'description',
  'priority',
  'tags',
  'dueAt',
  'allDay',
  'muted',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type TaskEdits = Partial<Pick<Task, EditableField>>;

import { z } from 'zod';
import {
  Description,
  IdempotencyKey,
  Priority,
  RemindBefore,
  Tags,
  TemplateEdit,
  Title,
} from './task.js';
import { Instant } from './time/instant.js';
import { MAX_REMINDERS } from './reminder.js';
import type { Recurrence, RecurrenceMode } from './recurrence/rule.js';

export const SeriesId = z.uuid().brand<'SeriesId'>();
export type SeriesId = z.infer<typeof SeriesId>;

export const SeriesState = z.enum(['ACTIVE', 'PAUSED', 'STOPPED', 'ENDED']);
export type SeriesState = z.infer<typeof SeriesState>;

export const DEFAULT_MAX_OPEN = 3;

/** A series: the template of its occurrences, its rule, and how it behaves when neglected. */
export interface Series {
  id: SeriesId;
  userId: string;
  title: string;
  description: string;
  priority: Priority;
  tags: string[];
  /** Each occurrence's reminders: this long before its start. */
  remindBeforeMs: number[];
  recurrence: Recurrence;
  mode: RecurrenceMode;
  state: SeriesState;
  /** FIXED: no new occurrence while this many past ones are still open. */
  maxOpen: number;
  /** FIXED: how many future occurrences exist as tasks ahead of time. */
  materializeAhead: number;
  /** No occurrence starting before this is created (set when the series is resumed). */
  notBefore: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const Mode = z.enum(['FIXED', 'AFTER_COMPLETION']);
const Reminders = z
  .array(RemindBefore)
  .max(MAX_REMINDERS, `must have at most ${MAX_REMINDERS} reminders`);
const MaxOpen = z.number().int().min(1, 'must be at least 1').max(50, 'must be at most 50');
const Ahead = z.number().int().min(0, 'must not be negative').max(10, 'must be at most 10');

/** The template and behaviour of a new series; its rule is validated by RecurrenceInput. */
export const CreateSeriesInput = z.object({
  title: Title,
  description: Description.nullish(),
  priority: Priority.nullish(),
  tags: Tags.nullish(),
  remindBefore: Reminders.nullish(),
  rrule: z.string(),
  dtstart: z.string(),
  /** Absent: the user's time zone. */
  timeZone: z.string().nullish(),
  exdates: z.array(Instant).max(1000).nullish(),
  mode: Mode.nullish(),
  maxOpen: MaxOpen.nullish(),
  materializeAhead: Ahead.nullish(),
  /** A retried create with the same key returns the series the first one created. */
  idempotencyKey: IdempotencyKey.nullish(),
});
export type CreateSeriesInput = z.infer<typeof CreateSeriesInput>;

/** An edit of this and future occurrences: absent fields stay. */
export const UpdateSeriesInput = TemplateEdit.extend({
  remindBefore: Reminders.nullish(),
  rrule: z.string().optional(),
  dtstart: z.string().optional(),
  timeZone: z.string().optional(),
  mode: Mode.optional(),
  maxOpen: MaxOpen.optional(),
  materializeAhead: Ahead.optional(),
});
export type UpdateSeriesInput = z.infer<typeof UpdateSeriesInput>;

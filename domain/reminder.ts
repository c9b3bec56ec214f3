import { z } from 'zod';
import { DurationMs } from './time/duration.js';
import { Instant } from './time/instant.js';

export const MAX_REMINDERS = 10;
/** The longest reminder offset: a year before (or after) the due date. */
export const MAX_REMIND_OFFSET_MS = 366 * 86_400_000;

const Offset = DurationMs.refine((ms) => ms >= 0, 'must not be negative').refine(
  (ms) => ms <= MAX_REMIND_OFFSET_MS,
  'must be at most 366 days',
);

/** A reminder as stored: relative to the due date (offsetMs, negative = before) or absolute. */
export interface Reminder {
  id: string;
  offsetMs: number | null;
  at: Date | null;
  snoozedUntil: Date | null;
  dismissedAt: Date | null;
  /** When it was last set; a fire time already past then is not armed. */
  armedAt: Date;
}

/** How a reminder stands, for clients and the web of signals alike. */
export type ReminderState =
  'PENDING' | 'SNOOZED' | 'DEFERRED' | 'FIRED' | 'MUTED' | 'MISSED' | 'DISMISSED' | 'NOT_ARMED';

export interface Delivery {
  reminderId: string;
  fireAt: Date;
  deliveredAt: Date;
  late: boolean;
  missed: boolean;
  /** Set while it waits for the end of the user's quiet hours (then deliveredAt is when). */
  deferredUntil: Date | null;
  /** It came due while its task was muted: recorded (deliveredAt), sent to no channel. */
  muted: boolean;
}

/** When the reminder fires: its snooze, else its instant, else due date + offset; null: never. */
export function fireAtOf(r: Reminder, dueAt: Date | null): Date | null {
  if (r.snoozedUntil) return r.snoozedUntil;
  if (r.at) return r.at;
  return dueAt && r.offsetMs !== null ? new Date(dueAt.getTime() + r.offsetMs) : null;
}

/** Armed: it will fire (unless the task is completed or deleted first). */
export function isArmed(r: Reminder, dueAt: Date | null): boolean {
  const fireAt = fireAtOf(r, dueAt);
  return !r.dismissedAt && fireAt !== null && fireAt > r.armedAt;
}

export function reminderState(
  r: Reminder,
  dueAt: Date | null,
  deliveries: Delivery[],
): ReminderState {
  const fireAt = fireAtOf(r, dueAt);
  const delivered =
    fireAt &&
    deliveries.find((d) => d.reminderId === r.id && d.fireAt.getTime() === fireAt.getTime());
  if (delivered) {
    if (delivered.deferredUntil) return 'DEFERRED';
    // Muted before missed: a muted reminder would not have gone out even on time.
    return delivered.muted ? 'MUTED' : delivered.missed ? 'MISSED' : 'FIRED';
  }
  if (r.dismissedAt) return 'DISMISSED';
  if (!isArmed(r, dueAt)) return 'NOT_ARMED';
  return r.snoozedUntil ? 'SNOOZED' : 'PENDING';
}

/** What a client sends: exactly one of before, after (the due date) or at. */
export const ReminderInput = z
  .object({
    before: Offset.nullish(),
    after: Offset.nullish(),
    at: Instant.nullish(),
  })
  .superRefine((r, ctx) => {
    const given = [r.before, r.after, r.at].filter((v) => v != null).length;
    if (given !== 1)
      ctx.addIssue({ code: 'custom', message: 'give exactly one of before, after or at' });
  })
  .transform((r) => ({
    offsetMs: r.before != null ? -r.before : r.after != null ? r.after : null,
    at: r.at ?? null,
  }));
export type ReminderInput = z.infer<typeof ReminderInput>;

export const SnoozeInput = z
  .object({
    taskId: z.string(),
    reminderId: z.string(),
    until: Instant.nullish(),
    for: DurationMs.refine(
      (ms) => ms > 0 && ms <= MAX_REMIND_OFFSET_MS,
      'must be between PT1S and P366D',
    ).nullish(),
  })
  .superRefine((s, ctx) => {
    if ((s.until == null) === (s.for == null))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of until or for' });
  });
export type SnoozeInput = z.infer<typeof SnoozeInput>;

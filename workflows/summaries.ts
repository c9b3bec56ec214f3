// What the Temporal web UI shows of each workflow: a one-line summary and details set when the
// relay starts it (static: kept for that run only, a continue-as-new starts a run without them),
// the current details each run keeps up to date (their first line repeats the summary, so a run
// after a continue-as-new or an edited title is still recognisable), and one-line summaries of
// its timers and activities. Pure string functions: the workflows use them too, so no Intl, no
// clock, and times are written in UTC.

/** Titles are user text: one line, and bounded, so a summary stays readable in a list. */
export const TITLE_MAX_CHARS = 80;

/** The title on one line, cut to TITLE_MAX_CHARS with an ellipsis. */
export function clipTitle(title: string): string {
  const line = title.replace(/\s+/g, ' ').trim();
  const chars = [...line]; // by code point: never half a surrogate pair
  return chars.length <= TITLE_MAX_CHARS
    ? line
    : `${chars
        .slice(0, TITLE_MAX_CHARS - 1)
        .join('')
        .trimEnd()}…`;
}

/** "2026-11-30 09:00:00 UTC": an instant as the UI's reader can compare it with the clock. */
export function utc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// Reminder workflow (`reminder:<taskId>`)

export const reminderSummary = (title: string): string => `Reminders for ‘${clipTitle(title)}’`;

export const reminderDetails = (taskId: string, userId: string): string =>
  `Task \`${taskId}\` of user \`${userId}\`. Sleeps until the task's next reminder is due and ` +
  'delivers it; every edit of the task interrupts the sleep and reschedules.';

export type ReminderTaskState = 'OPEN' | 'COMPLETED' | 'DELETED';

export function reminderCurrentDetails(
  title: string,
  taskState: ReminderTaskState,
  next: { id: string; fireAt: string } | undefined,
  pending: number,
): string {
  const waiting = next
    ? `Next reminder at ${utc(next.fireAt)} (reminder \`${next.id}\`; ${pending} pending)`
    : taskState === 'OPEN'
      ? 'Nothing left to fire'
      : `Task ${taskState.toLowerCase()}: nothing left to fire`;
  return `${reminderSummary(title)}\n\n${waiting}`;
}

export const reminderTimerSummary = (next: { id: string; fireAt: string }): string =>
  `Until reminder ${next.id} is due at ${utc(next.fireAt)}, or the task changes`;

export const DELIVER_REMINDER_SUMMARY = 'Deliver the due reminder in the app';
export const DELIVER_TO_CHANNELS_SUMMARY = 'Deliver the reminder by e-mail/webhook';

// Series workflow (`series:<seriesId>`)

/** "Series ‘Standup’ · every weekday at 9:00 AM" (without the rule when it is not known). */
export const seriesSummary = (title: string, rule?: string): string =>
  `Series ‘${clipTitle(title)}’${rule ? ` · ${rule}` : ''}`;

export const seriesDetails = (seriesId: string, userId: string): string =>
  `Series \`${seriesId}\` of user \`${userId}\`. Sleeps until the next occurrence is due and ` +
  'creates its task; every change to the series or an occurrence wakes it to plan again.';

/** A plan step as the series workflow gets it (activities/series.ts SeriesStep). */
export type SeriesStepView =
  | { kind: 'create'; start: string }
  | { kind: 'sleep'; until: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'done'; reason: string };

export function seriesCurrentDetails(summary: string | undefined, step: SeriesStepView): string {
  const waiting =
    step.kind === 'create'
      ? `Creating the occurrence of ${utc(step.start)}`
      : step.kind === 'sleep'
        ? `Next occurrence at ${utc(step.until)}`
        : step.kind === 'wait'
          ? `Waiting for a change: ${step.reason}`
          : `Ended: ${step.reason}`;
  return summary ? `${summary}\n\n${waiting}` : waiting;
}

export const seriesTimerSummary = (until: string): string =>
  `Until the next occurrence at ${utc(until)}, or the series changes`;

export const PLAN_SERIES_SUMMARY = 'Plan the next step from the rule and the database';
export const CREATE_OCCURRENCE_SUMMARY = "Create the occurrence's task";

// Digest workflow (`digest:<userId>:<windowEnd>`)

export const digestSummary = (windowEnd: string): string =>
  `Digest of deferred reminders at ${utc(windowEnd)}`;

export const digestDetails = (userId: string): string =>
  `For user \`${userId}\`: the reminders deferred by quiet hours, delivered as one digest when ` +
  'the quiet window ends.';

export const digestTimerSummary = (windowEnd: string): string =>
  `Until the quiet window ends at ${utc(windowEnd)}`;

export const DELIVER_DIGEST_SUMMARY = 'Deliver the digest in the app';
export const DELIVER_DIGEST_TO_CHANNELS_SUMMARY = 'Deliver the digest by e-mail/webhook';

export const digestCurrentDetails = (windowEnd: string, state: string): string =>
  `${digestSummary(windowEnd)}\n\n${state}`;

import { badInput } from '../../domain/errors.js';
import { resolveWhen } from '../../domain/natural-time.js';

/** The due-date fields of a create or an update. */
interface DueFields {
  dueAt?: Date | null | undefined;
  dueText?: string | null | undefined;
  allDay?: boolean | null | undefined;
}

/** Refused before any work: a due date given twice, as an instant and in words. */
export function checkOneDue(input: DueFields): void {
  if (input.dueText != null && input.dueAt !== undefined)
    throw badInput([{ path: 'input.dueText', message: 'give either dueAt or dueText, not both' }]);
}

/**
 * The due date and all-day flag `input.dueText` names, read in the user's `timeZone` at `now`
 * (the one place GraphQL and MCP turn words into a due date). A text without a time ("next
 * Friday") makes the task all-day unless the caller said otherwise; a text with one makes it
 * timed. Without dueText, the fields as given.
 */
export function resolveDue<T extends DueFields>(
  input: T,
  timeZone: string,
  now: Date,
): T & DueFields {
  if (input.dueText == null) return input;
  const when = resolveWhen(input.dueText, timeZone, now, 'input.dueText');
  return { ...input, dueText: undefined, dueAt: when.at, allDay: input.allDay ?? when.allDay };
}

import type { Recurrence, RecurrenceMode } from '../domain/recurrence/rule.js';
import { describeRecurrence } from '../domain/recurrence/describe.js';
import { seriesSummary } from '../workflows/summaries.js';

/**
 * "Series ‘Standup’ · every week on Monday at 9:00 AM": the series workflow's one line in the
 * Temporal web UI. The rule is described here, outside the workflow (it expands with Intl); a
 * stored rule it cannot describe leaves only the title, so a summary never fails a delivery.
 */
export function seriesSummaryOf(title: string, recurrence: Recurrence, mode: RecurrenceMode) {
  let rule: string | undefined;
  try {
    rule = describeRecurrence(recurrence, mode);
  } catch {
    rule = undefined;
  }
  return seriesSummary(title, rule);
}

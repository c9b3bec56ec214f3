import {
  condition,
  continueAsNew,
  log,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SeriesActivities } from '../activities/series.js';
import { seriesSignals, type SeriesWorkflowInput } from './series-contract.js';
import { untilDone } from './activity-options.js';
import { NextFireAtKey } from './search-attributes.js';
import {
  CREATE_OCCURRENCE_SUMMARY,
  PLAN_SERIES_SUMMARY,
  seriesCurrentDetails,
  seriesTimerSummary,
} from './summaries.js';

// Local activities: both are short database transactions in the worker's own process, so they
// skip the server round trips of scheduling an activity task (the next occurrence appears
// sooner after a completion). Both are idempotent (a plan only reads; creation is keyed by
// series and start), so a retry after a crash is harmless.
const { planSeries } = proxyLocalActivities<SeriesActivities>({
  ...untilDone,
  summary: PLAN_SERIES_SUMMARY,
});
const { createOccurrence } = proxyLocalActivities<SeriesActivities>({
  ...untilDone,
  summary: CREATE_OCCURRENCE_SUMMARY,
});

/**
 * One per series (id `series:<seriesId>`). The database holds the series and its occurrences;
 * this workflow is its clock: it asks an activity for the next step (the rule is expanded there,
 * never here), sleeps until the next occurrence is due or a signal says something changed, and
 * has the occurrence created by an idempotent activity. After each occurrence it continues as
 * new, so its history stays small and new code is picked up at each boundary.
 */
export async function seriesWorkflow(input: SeriesWorkflowInput): Promise<void> {
  let changed = false;
  for (const signal of seriesSignals)
    setHandler(signal, () => {
      changed = true;
    });

  for (;;) {
    changed = false;
    const step = await planSeries({ seriesId: input.seriesId, now: new Date().toISOString() });
    upsertSearchAttributes([
      {
        key: NextFireAtKey,
        value:
          step.kind === 'sleep'
            ? new Date(step.until)
            : step.kind === 'create'
              ? new Date(step.start)
              : null,
      },
    ]);
    // What the web UI shows of this run now (no command: replays as before). The summary comes
    // with every plan, so it follows edits and survives continue-as-new, unlike the static one.
    setCurrentDetails(seriesCurrentDetails(step.summary, step));
    switch (step.kind) {
      case 'done':
        log.info('series ends', { seriesId: input.seriesId, reason: step.reason });
        return;
      case 'create': {
        const created = await createOccurrence({ seriesId: input.seriesId, start: step.start });
        log.info('occurrence', { seriesId: input.seriesId, start: step.start, ...created });
        // A pause or stop that won the race leaves nothing created: plan again.
        if (created.outcome === 'not-active') continue;
        return continueAsNew<typeof seriesWorkflow>(input);
      }
      case 'sleep':
        await condition(() => changed, new Date(step.until).getTime() - Date.now(), {
          summary: seriesTimerSummary(step.until),
        });
        break;
      case 'wait':
        await condition(() => changed);
        break;
    }
    // A long-paused series that keeps receiving signals still keeps a short history.
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof seriesWorkflow>(input);
  }
}

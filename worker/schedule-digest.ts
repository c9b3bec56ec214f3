import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ScheduleDigest } from '../activities/reminders.js';
import { deferredSignal, digestWorkflowId } from '../workflows/digest-contract.js';
import { digestWorkflow } from '../workflows/digest.js';
import { NextFireAtKey, UserIdKey } from '../workflows/search-attributes.js';
import { digestDetails, digestSummary } from '../workflows/summaries.js';

/**
 * signalWithStart of the user's digest workflow for `windowEnd`: starts it if it is not running
 * (also when an earlier run for the window has closed), signals it either way. Repeating it is
 * harmless, which is what makes the deferring activity safe to retry.
 */
export function createScheduleDigest(temporal: Client, taskQueue: string): ScheduleDigest {
  return async (userId, windowEnd) => {
    await temporal.workflow.signalWithStart(digestWorkflow, {
      workflowId: digestWorkflowId(userId, windowEnd),
      taskQueue,
      args: [{ userId, windowEnd: windowEnd.toISOString() }],
      signal: deferredSignal,
      signalArgs: [],
      staticSummary: digestSummary(windowEnd.toISOString()),
      staticDetails: digestDetails(userId),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: UserIdKey, value: userId },
        { key: NextFireAtKey, value: windowEnd },
      ]),
    });
  };
}

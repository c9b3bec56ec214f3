import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../domain/errors.js';

// The failure types no retry can cure (domain/errors.ts): activities already throw them as
// non-retryable; listing them here keeps that true for a failure built without the flag.
const nonRetryableErrorTypes = [...NON_RETRYABLE_FAILURE_TYPES];

// Activity options shared by the workflows.

/**
 * For activities idempotent on their own key (a delivery, a digest, an occurrence): retrying
 * until the database answers is safe; the timeout only bounds one attempt.
 */
export const untilDone = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes,
  },
} satisfies ActivityOptions;

/**
 * The same as a local activity: run by the worker inside the workflow task that needs it, so a
 * short database step costs no activity task, no extra workflow task and no history events
 * beyond one marker. Retries back off in the worker, past a minute on a server timer.
 */
export const untilDoneLocal = {
  startToCloseTimeout: untilDone.startToCloseTimeout,
  retry: untilDone.retry,
} satisfies LocalActivityOptions;

/** E-mail and webhooks: a webhook that stays down must not hold back what comes next for long. */
export const channelDelivery = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes,
  },
} satisfies ActivityOptions;

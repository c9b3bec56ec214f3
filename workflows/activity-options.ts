import type { ActivityOptions } from '@temporalio/workflow';

// Activity options shared by the workflows.

/**
 * For activities idempotent on their own key (a delivery, a digest, an occurrence): retrying
 * until the database answers is safe; the timeout only bounds one attempt.
 */
export const untilDone = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} satisfies ActivityOptions;

/** E-mail and webhooks: a webhook that stays down must not hold back what comes next for long. */
export const channelDelivery = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
} satisfies ActivityOptions;

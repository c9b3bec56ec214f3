import { defineSignal } from '@temporalio/workflow';

// The quiet-hours digest workflow's contract, shared by the workflow and the activity that
// schedules it. Plain types only (see reminder-contract.ts).

/** One per user and quiet window: every reminder deferred to the same end shares it. */
export const digestWorkflowId = (userId: string, windowEnd: Date): string =>
  `digest:${userId}:${windowEnd.toISOString()}`;

export interface DigestWorkflowInput {
  userId: string;
  /** ISO-8601 instant: the end of the quiet hours. */
  windowEnd: string;
}

/** Another reminder was deferred to this window (after the digest may have been read). */
export const deferredSignal = defineSignal('deferred');

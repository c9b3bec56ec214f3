import {
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  uuid4,
} from '@temporalio/workflow';
import type { ChannelActivities } from '../activities/channels.js';
import type { DigestActivities } from '../activities/digests.js';
import { channelDelivery, untilDone } from './activity-options.js';
import { deferredSignal, type DigestWorkflowInput } from './digest-contract.js';
import {
  DELIVER_DIGEST_SUMMARY,
  DELIVER_DIGEST_TO_CHANNELS_SUMMARY,
  digestCurrentDetails,
  digestTimerSummary,
} from './summaries.js';

// deliverDigest is idempotent on the digest id the workflow chooses.
const { deliverDigest } = proxyActivities<DigestActivities>({
  ...untilDone,
  summary: DELIVER_DIGEST_SUMMARY,
});
const { deliverDigestToChannels } = proxyActivities<ChannelActivities>({
  ...channelDelivery,
  summary: DELIVER_DIGEST_TO_CHANNELS_SUMMARY,
});

/**
 * One per user and quiet window (id `digest:<userId>:<windowEnd>`), started or signalled by every
 * reminder deferred to that window. It sleeps until the window ends, then delivers everything
 * deferred as one digest. A deferral that arrives while the digest is being delivered signals
 * again, so the loop runs once more; one that arrives after the workflow closed starts a new
 * run, which delivers at once.
 */
export async function digestWorkflow(input: DigestWorkflowInput): Promise<void> {
  let pending = true;
  setHandler(deferredSignal, () => {
    pending = true;
  });
  const details = (state: string) =>
    setCurrentDetails(digestCurrentDetails(input.windowEnd, state));
  const waitMs = Date.parse(input.windowEnd) - Date.now();
  if (waitMs > 0) {
    details('Waiting for the quiet window to end');
    await sleep(waitMs, { summary: digestTimerSummary(input.windowEnd) });
  }
  while (pending) {
    pending = false;
    details('Delivering');
    const digest = await deliverDigest({ ...input, digestId: uuid4() });
    if (!digest) {
      details('Nothing was left to deliver');
      continue;
    }
    details(`Delivered ${digest.reminders} reminder(s) as digest \`${digest.digestId}\``);
    log.info('digest delivered', { userId: input.userId, ...digest });
    try {
      await deliverDigestToChannels({ userId: input.userId, digestId: digest.digestId });
    } catch (err) {
      log.warn('gave up delivering the digest to e-mail/webhook', {
        digestId: digest.digestId,
        error: String(err),
      });
    }
  }
}

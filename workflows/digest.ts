import { log, proxyActivities, setHandler, sleep, uuid4 } from '@temporalio/workflow';
import type { ChannelActivities } from '../activities/channels.js';
import type { DigestActivities } from '../activities/digests.js';
import { channelDelivery, untilDone } from './activity-options.js';
import { deferredSignal, type DigestWorkflowInput } from './digest-contract.js';

// deliverDigest is idempotent on the digest id the workflow chooses.
const { deliverDigest } = proxyActivities<DigestActivities>(untilDone);
const { deliverDigestToChannels } = proxyActivities<ChannelActivities>(channelDelivery);

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
  const waitMs = Date.parse(input.windowEnd) - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  while (pending) {
    pending = false;
    const digest = await deliverDigest({ ...input, digestId: uuid4() });
    if (!digest) continue;
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

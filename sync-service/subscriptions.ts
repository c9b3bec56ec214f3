import { Topic } from '../domain/events.js';
import type { TopicHandler } from '../platform/dapr-subscriber.js';
import {
  startStreamSubscription,
  type StreamOpener,
  type StreamSubscription,
} from '../platform/dapr-stream-subscription.js';
import type { ReadinessCheck } from '../platform/health.js';
import type { Logger } from '../platform/logger.js';

/**
 * Every replica receives every event: pubsub-broadcast has one Kafka consumer group per pod
 * (dapr/components/pubsub-broadcast.yaml). What the service can never process (DROP) goes to
 * dead-letters, which the audit service keeps.
 */
export const SYNC_PUBSUB = 'pubsub-broadcast';
export const SYNC_TOPICS = [Topic.taskEvents, Topic.reminders] as const;
export const DEAD_LETTER_TOPIC = 'dead-letters';

export interface SyncSubscriptions {
  /** Readiness: not ready while any topic's stream is not subscribed (its events would be late). */
  ready: ReadinessCheck;
  close(): Promise<void>;
}

export function startSyncSubscriptions(deps: {
  open: StreamOpener;
  handler: TopicHandler;
  log: Logger;
}): SyncSubscriptions {
  const subs = new Map<string, StreamSubscription>(
    SYNC_TOPICS.map((topic) => [
      topic,
      startStreamSubscription({
        ...deps,
        pubsubName: SYNC_PUBSUB,
        topic,
        deadLetterTopic: DEAD_LETTER_TOPIC,
      }),
    ]),
  );
  return {
    ready: async () => {
      const down = [...subs].filter(([, s]) => !s.subscribed).map(([topic]) => topic);
      if (down.length > 0) throw new Error(`not subscribed to ${down.join(', ')}`);
    },
    close: async () => {
      await Promise.all([...subs.values()].map((s) => s.close()));
    },
  };
}

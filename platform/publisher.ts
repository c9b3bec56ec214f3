import { CommunicationProtocolEnum, DaprClient } from '@dapr/dapr';
import type { TicklerEvent, Topic } from '../domain/events.js';

export interface EventPublisher {
  publish(topic: Topic, event: TicklerEvent): Promise<void>;
}

export const PUBSUB_NAME = 'pubsub';

/**
 * Publishes through the app's Dapr sidecar. The event already is a CloudEvent, so it goes out
 * as `application/cloudevents+json` and Dapr keeps our id, sequence and extensions. The user id
 * is the Kafka partition key: one user's events stay in order on one partition.
 */
export function createDaprPublisher(dapr: DaprClient): EventPublisher {
  return {
    async publish(topic, event) {
      const res = await dapr.pubsub.publish(PUBSUB_NAME, topic, event, {
        contentType: 'application/cloudevents+json',
        metadata: { partitionKey: event.userid },
      });
      if (res.error) throw new Error(`Dapr publish to ${topic} failed: ${String(res.error)}`);
    },
  };
}

export function createDaprClient(host: string, httpPort: number): DaprClient {
  return new DaprClient({
    daprHost: host,
    daprPort: String(httpPort),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
  });
}

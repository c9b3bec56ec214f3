import { AppError, ErrorCode } from '../domain/errors.js';
import type { TicklerEvent, Topic } from '../domain/events.js';

export interface EventPublisher {
  publish(topic: Topic, event: TicklerEvent): Promise<void>;
}

export const PUBSUB_NAME = 'pubsub';

export interface DaprPublisherDeps {
  /** The app's own Dapr sidecar, e.g. http://127.0.0.1:3500. */
  daprHttpUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Publishes through the app's Dapr sidecar (its HTTP publish API). The event already is a
 * CloudEvent, so it goes out as `application/cloudevents+json` and Dapr keeps our id, sequence
 * and extensions. The user id is the Kafka partition key: one user's events stay on one
 * partition.
 *
 * The mutation's trace context goes as the request's `traceparent` header: Dapr writes the
 * CloudEvent's `traceparent` from the trace of the publish request (a `traceparent` in the body
 * or in `cloudevent.traceparent` metadata is replaced), so only the header keeps one trace from
 * the mutation to the client. @dapr/dapr's client cannot set request headers, hence plain HTTP.
 */
export function createDaprPublisher({
  daprHttpUrl,
  timeoutMs = 10_000,
  fetch: fetchFn = fetch,
}: DaprPublisherDeps): EventPublisher {
  return {
    async publish(topic, event) {
      const url =
        `${daprHttpUrl}/v1.0/publish/${PUBSUB_NAME}/${topic}` +
        `?metadata.partitionKey=${encodeURIComponent(event.userid)}`;
      const res = await fetchFn(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          ...(event.traceparent ? { traceparent: event.traceparent } : {}),
        },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) {
        const detail = `Dapr publish to ${topic} failed: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`;
        // 400: Dapr refused this message itself (not a CloudEvent it can read). Anything else
        // (no such component, Kafka away, timeouts) is the environment's, and worth retrying.
        throw res.status === 400 ? new AppError(ErrorCode.BAD_EVENT, detail) : new Error(detail);
      }
    },
  };
}

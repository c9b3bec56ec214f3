import { AppError, ErrorCode } from '../domain/errors.js';
import type { TicklerEvent, Topic } from '../domain/events.js';
import { daprApiHeaders } from './dapr-tokens.js';

export interface EventPublisher {
  publish(topic: Topic, event: TicklerEvent): Promise<void>;
  /**
   * Publishes several events of one topic in one call; answers event id → error for those that
   * were not published (all the others were).
   */
  publishMany(topic: Topic, events: TicklerEvent[]): Promise<Map<string, Error>>;
}

export const PUBSUB_NAME = 'pubsub';

export interface DaprPublisherDeps {
  /** The app's own Dapr sidecar, e.g. http://127.0.0.1:3500. */
  daprHttpUrl: string;
  /** The sidecar's DAPR_API_TOKEN, sent as `dapr-api-token` when set. */
  apiToken?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Publishes through the app's Dapr sidecar (its HTTP publish APIs), each event exactly as we
 * built it: our events already are CloudEvents, and with `rawPayload` Dapr sends them to Kafka
 * untouched. Without it, Dapr rewrites the envelope's `traceparent` from the trace of the publish
 * request (for a bulk publish, one trace for all), which would cut the trace that runs from the
 * mutation to the client; subscribers read the message as the CloudEvent it is. The user id is
 * the Kafka partition key: one user's events stay on one partition.
 */
export function createDaprPublisher({
  daprHttpUrl,
  apiToken,
  timeoutMs = 10_000,
  fetch: fetchFn = fetch,
}: DaprPublisherDeps): EventPublisher {
  const failure = (what: string, status: number, body: string): Error => {
    const detail = `${what} failed: HTTP ${status} ${body.slice(0, 500)}`;
    // 400: Dapr refused the message itself (not something it can read). Anything else (no such
    // component, Kafka away, timeouts) is the environment's, and worth retrying.
    return status === 400 ? new AppError(ErrorCode.BAD_EVENT, detail) : new Error(detail);
  };

  return {
    async publish(topic, event) {
      const url =
        `${daprHttpUrl}/v1.0/publish/${PUBSUB_NAME}/${topic}?metadata.rawPayload=true` +
        `&metadata.partitionKey=${encodeURIComponent(event.userid)}`;
      const res = await fetchFn(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          ...daprApiHeaders(apiToken),
          // Dapr's own publish span joins the mutation's trace.
          ...(event.traceparent ? { traceparent: event.traceparent } : {}),
        },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw failure(`Dapr publish to ${topic}`, res.status, await res.text());
    },

    async publishMany(topic, events) {
      const url = `${daprHttpUrl}/v1.0-alpha1/publish/bulk/${PUBSUB_NAME}/${topic}?metadata.rawPayload=true`;
      const res = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...daprApiHeaders(apiToken) },
        body: JSON.stringify(
          events.map((e) => ({
            entryId: e.id,
            event: e,
            contentType: 'application/cloudevents+json',
            metadata: { partitionKey: e.userid },
          })),
        ),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.ok) return new Map();
      const text = await res.text();
      const body = parseJson(text) as { failedEntries?: { entryId: string; error?: string }[] };
      if (Array.isArray(body?.failedEntries)) {
        // A partial failure: only the entries named failed.
        return new Map(
          body.failedEntries.map((f) => [
            f.entryId,
            new Error(`Dapr bulk publish to ${topic} failed: ${f.error ?? 'no reason given'}`),
          ]),
        );
      }
      const err = failure(`Dapr bulk publish to ${topic}`, res.status, text);
      return new Map(events.map((e) => [e.id, err]));
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

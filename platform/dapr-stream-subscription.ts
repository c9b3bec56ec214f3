import { setTimeout as sleep } from 'node:timers/promises';
import { TopicEventResponse_TopicEventResponseStatus as Status } from '@dapr/dapr/proto/dapr/proto/runtime/v1/appcallback_pb.js';
import { createAsyncQueue } from './async-queue.js';
import { handleDelivery, type DeliveryStatus, type TopicHandler } from './dapr-subscriber.js';
import type { Logger } from './logger.js';

/**
 * Dapr's streaming subscription (SubscribeTopicEventsAlpha1, runtime ≥ 1.14): the app dials its
 * sidecar's gRPC API and receives a topic's events on a bidirectional stream, so the sidecar
 * never calls the app and the app has no route to protect. The protocol (Dapr's
 * pkg/api/grpc/subscribe.go and pkg/runtime/pubsub/streamer): the first message names the
 * pub/sub component, the topic and the dead-letter topic; the sidecar answers with an initial
 * response once its consumer is subscribed, then sends events; each is answered by its id with
 * SUCCESS, RETRY or DROP. Only SUCCESS lets the Kafka consumer mark the message; an event still
 * unanswered when the stream ends is delivered again on the next stream. RETRY goes through the
 * component's inbound resiliency policy, DROP to the dead-letter topic, as for a POST.
 */

/** The messages the app sends, in the shape the SDK's gRPC stub accepts. */
export type StreamRequest = {
  subscribeTopicEventsRequestType:
    | {
        case: 'initialRequest';
        value: { pubsubName: string; topic: string; deadLetterTopic?: string };
      }
    | { case: 'eventProcessed'; value: { id: string; status: { status: Status } } };
};

/** One event as the sidecar streams it (dapr.proto.runtime.v1.TopicEventRequest). */
export interface StreamEvent {
  id: string;
  source: string;
  type: string;
  specVersion: string;
  dataContentType: string;
  data: Uint8Array;
  /** Every other attribute of the CloudEvent (time, subject, our userid, sequence…). */
  extensions?: Record<string, unknown> | undefined;
}

/** The messages the sidecar sends. */
export type StreamResponse = {
  subscribeTopicEventsResponseType:
    | { case: 'initialResponse'; value?: unknown }
    | { case: 'eventMessage'; value: StreamEvent }
    | { case: undefined; value?: undefined };
};

/** Opens one stream to the sidecar (platform/dapr-grpc.ts); `signal` cancels it. */
export type StreamOpener = (
  requests: AsyncIterable<StreamRequest>,
  signal: AbortSignal,
) => AsyncIterable<StreamResponse>;

export interface StreamSubscriptionOptions {
  open: StreamOpener;
  pubsubName: string;
  topic: string;
  /** Where Dapr sends what the handler DROPs. */
  deadLetterTopic?: string;
  handler: TopicHandler;
  log: Logger;
  /** Between reconnections: doubles from initialMs up to maxMs; reset once subscribed again. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface StreamSubscription {
  /** The sidecar confirmed the subscription and the stream is still open. */
  readonly subscribed: boolean;
  /** Ends the stream (unanswered events are redelivered later) and stops reconnecting. */
  close(): Promise<void>;
}

const STATUS: Record<DeliveryStatus, Status> = {
  SUCCESS: Status.SUCCESS,
  RETRY: Status.RETRY,
  DROP: Status.DROP,
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The CloudEvent the sidecar took apart, put together again: what a POST delivery carries.
 * A body that is not JSON is handed on as undefined data, which parseEvent refuses (DROP).
 */
export function cloudEventOf(e: StreamEvent): Record<string, unknown> {
  let data: unknown;
  try {
    data = e.data.length > 0 ? JSON.parse(decoder.decode(e.data)) : undefined;
  } catch {
    data = undefined;
  }
  return {
    ...e.extensions,
    id: e.id,
    source: e.source,
    type: e.type,
    specversion: e.specVersion,
    datacontenttype: e.dataContentType,
    data,
  };
}

export function startStreamSubscription(o: StreamSubscriptionOptions): StreamSubscription {
  const { initialMs, maxMs } = o.backoff ?? { initialMs: 250, maxMs: 5_000 };
  const where = { pubsub: o.pubsubName, topic: o.topic };
  const stop = new AbortController();
  let subscribed = false;
  let delay = initialMs;

  async function runOnce(signal: AbortSignal): Promise<void> {
    const requests = createAsyncQueue<StreamRequest>();
    requests.push({
      subscribeTopicEventsRequestType: {
        case: 'initialRequest',
        value: {
          pubsubName: o.pubsubName,
          topic: o.topic,
          ...(o.deadLetterTopic ? { deadLetterTopic: o.deadLetterTopic } : {}),
        },
      },
    });
    try {
      for await (const res of o.open(requests, signal)) {
        const r = res.subscribeTopicEventsResponseType;
        if (r.case === 'initialResponse') {
          subscribed = true;
          delay = initialMs;
          o.log.info(where, 'streaming subscription open');
        } else if (r.case === 'eventMessage') {
          const { id } = r.value;
          // Not awaited: the next event may arrive meanwhile; answers go out as they are ready.
          void handleDelivery(cloudEventOf(r.value), o.handler, o.log, where).then((status) =>
            requests.push({
              subscribeTopicEventsRequestType: {
                case: 'eventProcessed',
                value: { id, status: { status: STATUS[status] } },
              },
            }),
          );
        }
      }
    } finally {
      subscribed = false;
      requests.end();
    }
  }

  const loop = (async () => {
    while (!stop.signal.aborted) {
      const attempt = new AbortController();
      const cancel = () => attempt.abort();
      stop.signal.addEventListener('abort', cancel);
      let reason = 'the sidecar ended the stream';
      try {
        await runOnce(attempt.signal);
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      } finally {
        stop.signal.removeEventListener('abort', cancel);
        attempt.abort();
      }
      if (stop.signal.aborted) break;
      o.log.warn(
        { ...where, reason, retryInMs: delay },
        'streaming subscription lost; reconnecting',
      );
      await sleep(delay, undefined, { signal: stop.signal }).catch(() => {});
      delay = Math.min(delay * 2, maxMs);
    }
  })();

  return {
    get subscribed() {
      return subscribed;
    },
    async close() {
      stop.abort();
      await loop;
    },
  };
}

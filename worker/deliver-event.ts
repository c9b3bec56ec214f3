import type { Client } from '@temporalio/client';
import type { EventPublisher } from '../platform/publisher.js';
import { createPublishDelivery } from './deliver-publish.js';
import { createSignalDelivery } from './deliver-signal.js';
import type { DeliverBatch } from './relay.js';
import type { Destination } from '../db/outbox.js';

export interface EventDeliveryDeps {
  temporal: Client;
  publisher: EventPublisher;
  /** Where new reminder and series workflows are started. */
  taskQueue?: string;
  /** How many rows of a batch are signalled at once. */
  signalConcurrency?: number;
}

/**
 * An outbox row's two destinations, delivered by separate relays: the Temporal signals its event
 * implies (deliver-signal.ts), and the Dapr publish (deliver-publish.ts). Both are idempotent,
 * so a row delivered twice changes nothing.
 */
export function createEventDelivery({
  temporal,
  publisher,
  taskQueue,
  signalConcurrency,
}: EventDeliveryDeps): Record<Destination, DeliverBatch> {
  return {
    signal: createSignalDelivery({ temporal, taskQueue, concurrency: signalConcurrency }),
    publish: createPublishDelivery(publisher),
  };
}

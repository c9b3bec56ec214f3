import { createPubSub } from 'graphql-yoga';
import type { TicklerEvent } from '../domain/events.js';

/**
 * This replica's fan-out: one channel per user, so an event is only ever handed to its owner's
 * subscriptions. Every replica receives every event (its own Kafka consumer group) and serves
 * only the clients connected to it.
 */
export function createEventHub() {
  const pubsub = createPubSub<{ 'user-events': [userId: string, event: TicklerEvent] }>();
  return {
    publish(event: TicklerEvent): void {
      pubsub.publish('user-events', event.userid, event);
    },
    subscribe(userId: string): AsyncIterable<TicklerEvent> {
      return pubsub.subscribe('user-events', userId);
    },
  };
}
export type EventHub = ReturnType<typeof createEventHub>;

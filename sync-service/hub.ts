import type { TicklerEvent } from '../domain/events.js';

export type EventListener = (event: TicklerEvent) => void;

/**
 * This replica's fan-out: listeners per user, so an event is only ever handed to its owner's
 * subscriptions. Every replica receives every event (its own Kafka consumer group) and serves
 * only the clients connected to it. Listeners must not block: each subscription buffers what
 * it is handed and applies its own bound (see ordered-events.ts).
 */
export function createEventHub() {
  const byUser = new Map<string, Set<EventListener>>();
  let count = 0;
  return {
    publish(event: TicklerEvent): number {
      const listeners = byUser.get(event.userid);
      if (!listeners) return 0;
      for (const listener of listeners) listener(event);
      return listeners.size;
    },
    /** Registers a listener for one user's events; returns its unsubscribe. */
    subscribe(userId: string, listener: EventListener): () => void {
      let listeners = byUser.get(userId);
      if (!listeners) byUser.set(userId, (listeners = new Set()));
      listeners.add(listener);
      count++;
      return () => {
        if (listeners.delete(listener)) count--;
        if (listeners.size === 0 && byUser.get(userId) === listeners) byUser.delete(userId);
      };
    },
    /** Subscriptions registered on this replica. */
    listenerCount(): number {
      return count;
    },
  };
}
export type EventHub = ReturnType<typeof createEventHub>;

import { Gauge, type Registry } from 'prom-client';
import type { OutboxStats } from '../db/outbox.js';

/**
 * The relay's lag on the worker's /metrics, read from the database at scrape time (so every
 * replica reports the same, true figure): events still owed per destination, and the age of
 * the oldest of them — the number to alert on while Kafka or Temporal is away — and the events
 * quarantined as undeliverable.
 */
export function registerOutboxMetrics(registry: Registry, read: () => Promise<OutboxStats[]>) {
  let latest: Promise<OutboxStats[]> | undefined;
  // One query per scrape, shared by the gauges.
  const stats = () => (latest ??= read().finally(() => setTimeout(() => (latest = undefined))));
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Events not yet delivered, by destination (signal: Temporal, publish: Dapr/Kafka).',
    labelNames: ['destination'] as const,
    registers: [registry],
    async collect() {
      for (const s of await stats()) this.set({ destination: s.destination }, s.pending);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event not yet delivered, by destination (0 when none is owed).',
    labelNames: ['destination'] as const,
    registers: [registry],
    async collect() {
      for (const s of await stats())
        this.set({ destination: s.destination }, (s.oldestPendingAgeMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'outbox_quarantined_events',
    help: 'Events given up on as undeliverable, by destination (each needs an operator).',
    labelNames: ['destination'] as const,
    registers: [registry],
    async collect() {
      for (const s of await stats()) this.set({ destination: s.destination }, s.quarantined);
    },
  });
}

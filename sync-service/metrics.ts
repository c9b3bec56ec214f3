import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SyncGauges {
  /** Subscriptions registered on this replica. */
  subscriptions: () => number;
  /** Audit log reads in flight and queued (sync-service/replay-gate.ts). */
  replayReads: () => { running: number; waiting: number };
}

/** What an operator watches on a sync replica: sockets, events handed out, and how late. */
export function createSyncMetrics(registry: Registry, gauges: SyncGauges) {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: 'sync_connections',
      help: 'Open WebSocket connections.',
      registers,
    }),
    subscriptions: new Gauge({
      name: 'sync_subscriptions',
      help: 'Active taskEvents subscriptions.',
      registers,
      collect() {
        this.set(gauges.subscriptions());
      },
    }),
    refused: new Counter({
      name: 'sync_refused_total',
      help: 'Sockets and operations refused by a limit (sockets per user or address, operations per socket).',
      labelNames: ['reason'] as const,
      registers,
    }),
    replayReads: new Gauge({
      name: 'sync_replay_reads',
      help: 'Reads of the audit log in flight (running) and queued (waiting) on this replica.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const { running, waiting } = gauges.replayReads();
        this.set({ state: 'running' }, running);
        this.set({ state: 'waiting' }, waiting);
      },
    }),
    received: new Counter({
      name: 'sync_events_received_total',
      help: 'Events received from Dapr (every replica receives every event).',
      registers,
    }),
    delivered: new Counter({
      name: 'sync_events_delivered_total',
      help: 'Events handed to a client socket, by how they reached it (live or replayed).',
      labelNames: ['source'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'sync_delivery_latency_seconds',
      help: "From the event's time (its commit) to its hand-off to the client's socket.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    closedSlow: new Counter({
      name: 'sync_slow_consumers_closed_total',
      help: 'Connections closed because the client read too slowly (they resume).',
      registers,
    }),
    closedExpired: new Counter({
      name: 'sync_tokens_expired_total',
      help: "Connections closed because the token's exp passed.",
      registers,
    }),
    gapsSkipped: new Counter({
      name: 'sync_sequence_gaps_skipped_total',
      help: 'Sequence numbers given up on after gapGiveUpMs (an event that never arrived).',
      registers,
    }),
    replayErrors: new Counter({
      name: 'sync_replay_errors_total',
      help: 'Failed reads of the audit log (retried).',
      registers,
    }),
  };
}
export type SyncMetrics = ReturnType<typeof createSyncMetrics>;

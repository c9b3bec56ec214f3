import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { registerOutboxMetrics } from '../../worker/outbox-metrics.js';

test("outbox lag metrics: pending events, the oldest one's age and quarantined events, per destination, one read per scrape", async () => {
  const registry = new Registry();
  let reads = 0;
  registerOutboxMetrics(registry, async () => {
    reads++;
    return [
      { destination: 'signal', pending: 0, oldestPendingAgeMs: null, quarantined: 0 },
      { destination: 'publish', pending: 42, oldestPendingAgeMs: 30_500, quarantined: 2 },
    ];
  });
  const text = await registry.metrics();
  assert.match(text, /outbox_pending_events\{destination="publish"\} 42/);
  assert.match(text, /outbox_pending_events\{destination="signal"\} 0/);
  assert.match(text, /outbox_oldest_pending_age_seconds\{destination="publish"\} 30\.5/);
  assert.match(text, /outbox_oldest_pending_age_seconds\{destination="signal"\} 0/);
  assert.match(text, /outbox_quarantined_events\{destination="publish"\} 2/);
  assert.equal(reads, 1);
});

import type { OutboxRow } from '../db/outbox.js';
import { AppError, ErrorCode } from '../domain/errors.js';
import type { EventPublisher } from '../platform/publisher.js';
import type { DeliverBatch } from './relay.js';
import { readable } from './stored-event.js';

/**
 * The Dapr publish of a batch of outbox rows: one bulk call per topic, each event as stored (the
 * consumers read the same contract, and nothing is dropped on the way). Idempotent: the event id
 * is fixed, so a row published twice is recognised downstream.
 */
export function createPublishDelivery(publisher: EventPublisher): DeliverBatch {
  return async (rows) => {
    const failed = new Map<string, unknown>();
    const byTopic = new Map<OutboxRow['topic'], OutboxRow[]>();
    for (const row of rows) {
      try {
        readable(row);
      } catch (err) {
        failed.set(row.id, err);
        continue;
      }
      const group = byTopic.get(row.topic);
      if (group) group.push(row);
      else byTopic.set(row.topic, [row]);
    }
    await Promise.all(
      [...byTopic].map(async ([topic, group]) => {
        const errors = await publisher.publishMany(
          topic,
          group.map((r) => r.event),
        );
        // Dapr refused the whole call as malformed: find out which row, one call each.
        const refused = [...errors.values()].some(
          (e) => e instanceof AppError && e.code === ErrorCode.BAD_EVENT,
        );
        for (const row of group) {
          if (!errors.has(row.id)) continue;
          if (!refused) failed.set(row.id, errors.get(row.id));
          else await publisher.publish(topic, row.event).catch((err) => failed.set(row.id, err));
        }
      }),
    );
    return failed;
  };
}

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { OutboxRow } from '../../db/outbox.js';
import { AppError, ErrorCode } from '../../domain/errors.js';
import { buildEvent, topicOf, type TicklerEvent, type Topic } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { createDaprPublisher, type EventPublisher } from '../../platform/publisher.js';
import { createEventDelivery } from '../../worker/deliver-event.js';
import { snapshot } from '../support/fixtures.js';

// The relay's publish side: a batch goes out as one bulk call per topic, raw (our CloudEvent
// untouched), and each row's outcome is told apart. Dapr is replaced by a recording fetch: the
// unit does not own it (the e2e tests publish through real sidecars).

function event(title: string, type: 'task.created' | 'reminder.fired' = 'task.created') {
  const subject = randomUUID() as TaskId;
  const common = {
    id: randomUUID() as EventId,
    source: 'test',
    time: new Date(),
    subject,
    userId: 'u-batch' as UserId,
    sequence: 1,
    traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
  };
  return type === 'task.created'
    ? buildEvent({ ...common, type, data: { task: snapshot({ id: subject, title }) } })
    : buildEvent({
        ...common,
        type,
        data: {
          taskId: subject,
          reminderId: 'r1',
          title,
          fireAt: new Date().toISOString(),
          firedAt: new Date().toISOString(),
          late: false,
        },
      });
}

const rowOf = (e: TicklerEvent): OutboxRow => ({
  id: e.id,
  position: '1',
  topic: topicOf(e.type),
  subject: e.subject,
  event: e,
  attempts: 0,
});

test('the publisher sends a bulk call with raw payloads and reads partial failures', async () => {
  const calls: { url: string; body: unknown }[] = [];
  const [a, b] = [event('a'), event('b')];
  const publisher = createDaprPublisher({
    daprHttpUrl: 'http://dapr',
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, body: JSON.parse(init.body as string) });
      return new Response(
        JSON.stringify({ failedEntries: [{ entryId: b.id, error: 'broker down' }] }),
        { status: 500 },
      );
    }) as typeof fetch,
  });
  const failed = await publisher.publishMany('task-events', [a, b]);
  assert.equal(calls.length, 1);
  assert.equal(
    calls[0]!.url,
    'http://dapr/v1.0-alpha1/publish/bulk/pubsub/task-events?metadata.rawPayload=true',
  );
  const entries = calls[0]!.body as { entryId: string; event: TicklerEvent; metadata: object }[];
  assert.deepEqual(
    entries.map((x) => [x.entryId, x.event.traceparent, x.metadata]),
    [
      [a.id, a.traceparent, { partitionKey: 'u-batch' }],
      [b.id, b.traceparent, { partitionKey: 'u-batch' }],
    ],
  );
  assert.deepEqual([...failed.keys()], [b.id]);
  assert.match(failed.get(b.id)!.message, /broker down/);
});

test('a batch is one bulk call per topic; unreadable and refused rows are told apart', async () => {
  const created = [event('one'), event('two')];
  const fired = event('fired', 'reminder.fired');
  const unreadable = { ...event('broken'), dataversion: 99 } as TicklerEvent;
  const bulk: [Topic, string[]][] = [];
  const single: string[] = [];
  const publisher: EventPublisher = {
    async publishMany(topic, events) {
      bulk.push([topic, events.map((e) => e.id)]);
      // Dapr refuses the reminders call as a whole; one of its events is the bad one.
      return topic === 'reminders'
        ? new Map(events.map((e) => [e.id, new AppError(ErrorCode.BAD_EVENT, 'HTTP 400')]))
        : new Map();
    },
    async publish(_topic, e) {
      single.push(e.id);
    },
  };
  const delivery = createEventDelivery({ temporal: {} as Client, publisher });
  const failed = await delivery.publish([...created, fired, unreadable].map(rowOf));

  assert.deepEqual(bulk, [
    ['task-events', created.map((e) => e.id)],
    ['reminders', [fired.id]],
  ]);
  assert.deepEqual(single, [fired.id], 'the refused call is retried one event at a time');
  assert.deepEqual([...failed.keys()], [unreadable.id]);
  const err = failed.get(unreadable.id) as AppError;
  assert.equal(err.code, ErrorCode.BAD_EVENT);
  assert.match(err.message, /dataversion 99/);
});

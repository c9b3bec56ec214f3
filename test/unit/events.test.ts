import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildEvent, parseEvent, topicOf, Topic, type TicklerEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { snapshot } from '../support/fixtures.js';

const taskId = randomUUID() as TaskId;
const userId = 'user-events' as UserId;

const created = (): TicklerEvent =>
  buildEvent({
    id: randomUUID() as EventId,
    type: 'task.created',
    source: 'tickler/api',
    time: new Date('2026-03-30T07:00:00.000Z'),
    subject: taskId,
    userId,
    sequence: 3,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: {
      task: snapshot({
        id: taskId,
        title: 'Water the plants',
        dueAt: '2026-03-30T09:00:00.000Z',
        reminders: [
          {
            id: 'b5d3c1f0-0000-4000-8000-000000000001',
            offsetMs: -1_800_000,
            at: null,
            snoozedUntil: null,
            dismissed: false,
            armedAt: '2026-03-30T07:00:00.000Z',
          },
        ],
      }),
    },
  });

const fired = (): TicklerEvent =>
  buildEvent({
    id: randomUUID() as EventId,
    type: 'reminder.fired',
    source: 'tickler/worker',
    time: new Date('2026-03-30T08:30:00.250Z'),
    subject: taskId,
    userId,
    sequence: 4,
    data: {
      taskId,
      reminderId: 'due',
      title: 'Water the plants',
      fireAt: '2026-03-30T08:30:00.000Z',
      firedAt: '2026-03-30T08:30:00.250Z',
      late: false,
    },
  });

/** What a consumer receives: the event after a trip through JSON (Dapr, Kafka, jsonb). */
const overTheWire = (e: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(e)) as Record<string, unknown>;

describe('buildEvent', () => {
  test('fills in the CloudEvents envelope from the catalog', () => {
    const e = created();
    assert.equal(e.specversion, '1.0');
    assert.equal(e.type, 'task.created');
    assert.equal(e.time, '2026-03-30T07:00:00.000Z');
    assert.equal(e.subject, taskId);
    assert.equal(e.userid, userId);
    assert.equal(e.sequence, 3);
    assert.equal(e.dataversion, 1);
    assert.equal(e.datacontenttype, 'application/json');
    assert.equal(e.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  test('leaves traceparent out when there is none', () => {
    assert.equal(Object.hasOwn(fired(), 'traceparent'), false);
  });

  test('refuses a payload that does not match its type', () => {
    assert.throws(() =>
      buildEvent({
        id: randomUUID() as EventId,
        type: 'reminder.fired',
        source: 'test',
        time: new Date(),
        subject: taskId,
        userId,
        sequence: 1,
        data: {
          taskId,
          reminderId: 'due',
          title: 't',
          fireAt: 'yesterday',
          firedAt: 'today',
          late: false,
        },
      }),
    );
  });

  test('binds each type to its topic', () => {
    assert.equal(topicOf('task.created'), Topic.taskEvents);
    assert.equal(topicOf('reminder.fired'), Topic.reminders);
  });
});

describe('parseEvent', () => {
  for (const [name, make] of [
    ['task.created', created],
    ['reminder.fired', fired],
  ] as const) {
    test(`${name} survives buildEvent → JSON → parseEvent unchanged`, () => {
      const built = make();
      const parsed = parseEvent(overTheWire(built));
      assert.equal(parsed.ok, true, parsed.ok ? '' : parsed.reason);
      assert.deepEqual(parsed.ok && parsed.event, built);
    });
  }

  test('tolerates the attributes Dapr adds, and drops them', () => {
    const built = created();
    const raw = {
      ...overTheWire(built),
      topic: 'task-events',
      pubsubname: 'pubsub',
      traceid: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01',
      tracestate: '',
    };
    const parsed = parseEvent(raw);
    assert.equal(parsed.ok, true, parsed.ok ? '' : parsed.reason);
    assert.deepEqual(parsed.ok && parsed.event, built);
  });

  test('accepts sequence and dataversion as strings (extension attributes may arrive as strings)', () => {
    const built = fired();
    const parsed = parseEvent({ ...overTheWire(built), sequence: '4', dataversion: '1' });
    assert.equal(parsed.ok, true, parsed.ok ? '' : parsed.reason);
    assert.equal(parsed.ok && parsed.event.sequence, 4);
  });

  const refused: [string, (raw: Record<string, unknown>) => unknown, RegExp][] = [
    [
      'an unknown type',
      (r) => ({ ...r, type: 'task.exploded' }),
      /unknown event type "task.exploded"/,
    ],
    ['a newer dataversion', (r) => ({ ...r, dataversion: 2 }), /dataversion 2; this build reads 1/],
    [
      'a payload missing a field',
      (r) => ({ ...r, data: { task: { title: 'x' } } }),
      /bad task.created data/,
    ],
    [
      'a payload of the wrong type for the event',
      (r) => ({ ...r, data: overTheWire(fired()).data }),
      /bad task.created data/,
    ],
    [
      'a payload with a bad status',
      (r) => ({ ...r, data: { task: { ...(r.data as { task: object }).task, status: 'MAYBE' } } }),
      /bad task.created data/,
    ],
    ['no data', (r) => ({ ...r, data: undefined }), /bad task.created data/],
    ['a subject that is not a task id', (r) => ({ ...r, subject: 'not-a-uuid' }), /bad envelope/],
    ['a time without an offset', (r) => ({ ...r, time: '2026-03-30T07:00:00' }), /bad envelope/],
    ['a zero sequence', (r) => ({ ...r, sequence: 0 }), /bad envelope/],
    ['another specversion', (r) => ({ ...r, specversion: '0.3' }), /bad envelope/],
    ['another datacontenttype', (r) => ({ ...r, datacontenttype: 'text/plain' }), /bad envelope/],
    ['not an object', () => 'task.created', /bad envelope/],
    ['null', () => null, /bad envelope/],
  ];
  for (const field of [
    'specversion',
    'id',
    'source',
    'type',
    'time',
    'subject',
    'userid',
    'sequence',
    'dataversion',
    'datacontenttype',
  ]) {
    refused.push([
      `a missing ${field}`,
      (r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== field)),
      /bad envelope/,
    ]);
  }
  for (const [what, mutate, reason] of refused) {
    test(`refuses ${what}`, () => {
      const parsed = parseEvent(mutate(overTheWire(created())));
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.reason, reason);
    });
  }
});

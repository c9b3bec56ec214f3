import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { TopicEventResponse_TopicEventResponseStatus as Status } from '@dapr/dapr/proto/dapr/proto/runtime/v1/appcallback_pb.js';
import { AppError, ErrorCode } from '../../domain/errors.js';
import { buildEvent, type TicklerEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { createAsyncQueue, type AsyncQueue } from '../../platform/async-queue.js';
import {
  startStreamSubscription,
  type StreamEvent,
  type StreamOpener,
  type StreamRequest,
  type StreamResponse,
} from '../../platform/dapr-stream-subscription.js';
import { createLogger } from '../../platform/logger.js';
import { snapshot } from '../support/fixtures.js';

// The streaming subscription against a fake sidecar: the initial request names the topic and
// its dead-letter topic, each event is answered by id with the outcome a POST would get, and a
// stream that fails or ends is dialled again, subscribed only once the sidecar confirms.

interface FakeStream {
  requests: StreamRequest[];
  send: AsyncQueue<StreamResponse>;
}

function fakeSidecar(refuseFirst: number) {
  const streams: FakeStream[] = [];
  let refused = 0;
  const open: StreamOpener = (requests, signal) => {
    const stream: FakeStream = { requests: [], send: createAsyncQueue() };
    return (async function* () {
      if (refused < refuseFirst) {
        refused++;
        throw new Error('connect ECONNREFUSED');
      }
      streams.push(stream);
      void (async () => {
        for await (const r of requests) stream.requests.push(r);
      })();
      signal.addEventListener('abort', () => stream.send.end());
      yield* stream.send;
    })();
  };
  return { open, streams, refused: () => refused };
}

async function until(what: string, check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function taskCreated(title: string): TicklerEvent {
  const taskId = randomUUID() as TaskId;
  return buildEvent({
    id: randomUUID() as EventId,
    source: 'tickler/api',
    type: 'task.created',
    time: new Date(),
    subject: taskId,
    userId: 'stream-user' as UserId,
    sequence: 1,
    data: { task: snapshot({ id: taskId, title }) },
  });
}

/** The event as the sidecar streams it: CloudEvent attributes split from the data bytes. */
function asStreamed(e: TicklerEvent, data = JSON.stringify(e.data)): StreamEvent {
  const { id, source, type, specversion, datacontenttype, ...rest } = e;
  const extensions: Record<string, unknown> = { ...rest };
  delete extensions.data;
  return {
    id,
    source,
    type,
    specVersion: specversion,
    dataContentType: datacontenttype,
    data: new TextEncoder().encode(data),
    extensions: { ...extensions, topic: 'task-events', pubsubname: 'pubsub-broadcast' },
  };
}

const eventMessage = (value: StreamEvent): StreamResponse => ({
  subscribeTopicEventsResponseType: { case: 'eventMessage', value },
});
const initialResponse: StreamResponse = {
  subscribeTopicEventsResponseType: { case: 'initialResponse', value: {} },
};

const answers = (s: FakeStream) =>
  s.requests.flatMap((r) =>
    r.subscribeTopicEventsRequestType.case === 'eventProcessed'
      ? [r.subscribeTopicEventsRequestType.value]
      : [],
  );

test('subscribes, answers each event by id, and reconnects when the stream fails or ends', async () => {
  const sidecar = fakeSidecar(2);
  const handled: TicklerEvent[] = [];
  const ok = taskCreated('ok');
  const failing = taskCreated('fails for now');
  const refused = taskCreated('refused for good');
  const sub = startStreamSubscription({
    open: sidecar.open,
    pubsubName: 'pubsub-broadcast',
    topic: 'task-events',
    deadLetterTopic: 'dead-letters',
    log: createLogger('test', 'silent'),
    backoff: { initialMs: 5, maxMs: 20 },
    handler: async (e) => {
      if (e.id === failing.id) throw new Error('database away');
      if (e.id === refused.id) throw new AppError(ErrorCode.BAD_EVENT, 'no such task');
      handled.push(e);
    },
  });
  try {
    // Two refused dials, then a stream: not subscribed until the sidecar says so.
    await until('a stream', () => sidecar.streams.length === 1);
    assert.equal(sidecar.refused(), 2);
    const first = sidecar.streams[0]!;
    await until('the initial request', () => first.requests.length === 1);
    assert.deepEqual(first.requests[0], {
      subscribeTopicEventsRequestType: {
        case: 'initialRequest',
        value: {
          pubsubName: 'pubsub-broadcast',
          topic: 'task-events',
          deadLetterTopic: 'dead-letters',
        },
      },
    });
    assert.equal(sub.subscribed, false);
    first.send.push(initialResponse);
    await until('subscribed', () => sub.subscribed);

    const malformed = asStreamed(taskCreated('not json'), '{"task":');
    for (const e of [asStreamed(ok), malformed, asStreamed(failing), asStreamed(refused)])
      first.send.push(eventMessage(e));
    await until('four answers', () => answers(first).length === 4);
    const byId = new Map(answers(first).map((a) => [a.id, a.status.status]));
    assert.deepEqual(
      [byId.get(ok.id), byId.get(malformed.id), byId.get(failing.id), byId.get(refused.id)],
      [Status.SUCCESS, Status.DROP, Status.RETRY, Status.DROP],
    );
    // The handler got the event as it was published, Dapr's own attributes aside.
    assert.deepEqual(
      handled.map((e) => [e.id, e.sequence, e.userid, e.data]),
      [[ok.id, ok.sequence, ok.userid, ok.data]],
    );

    // The sidecar ends the stream (it restarted): not subscribed, dialled again.
    first.send.end();
    await until('unsubscribed', () => !sub.subscribed);
    await until('a second stream', () => sidecar.streams.length === 2);
    sidecar.streams[1]!.send.push(initialResponse);
    await until('subscribed again', () => sub.subscribed);
  } finally {
    await sub.close();
  }
  assert.equal(sub.subscribed, false);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sidecar.streams.length, 2, 'no dial after close');
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { activityInfo } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DeliverDigestInput, DigestOutcome } from '../../activities/digests.js';
import type { DeliverDigestToChannelsInput } from '../../activities/channels.js';
import { createScheduleDigest } from '../../worker/schedule-digest.js';
import { digestWorkflowId } from '../../workflows/digest-contract.js';
import { startTimeSkipping } from '../support/time-skipping.js';

// The quiet-hours digest workflow on the time-skipping test server, scheduled the way the
// deferring activity does (signalWithStart), with fake digest activities.

const HOUR = 3_600_000;
const bounded = { timeout: 30_000 };

interface DigestCall extends DeliverDigestInput {
  atMs: number;
}

let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
let scheduleDigest: ReturnType<typeof createScheduleDigest>;
const digestCalls: DigestCall[] = [];
const channelCalls: DeliverDigestToChannelsInput[] = [];
/** Per user: what each successive deliverDigest call does (default: one reminder delivered). */
const behaviour = new Map<string, (() => Promise<DigestOutcome | null>)[]>();

before(async () => {
  let taskQueue: string;
  ({ env, taskQueue, stop } = await startTimeSkipping(
    {
      async deliverDigest(input: DeliverDigestInput): Promise<DigestOutcome | null> {
        digestCalls.push({ ...input, atMs: activityInfo().scheduledTimestampMs });
        const next = behaviour.get(input.userId)?.shift();
        return next ? next() : { digestId: input.digestId, reminders: 1 };
      },
      async deliverDigestToChannels(input: DeliverDigestToChannelsInput) {
        channelCalls.push(input);
        return { email: 'off' as const, webhook: 'off' as const };
      },
    },
    'digest-test',
  ));
  scheduleDigest = createScheduleDigest(env.client, taskQueue);
});
after(() => stop?.());

const callsFor = (userId: string) => digestCalls.filter((c) => c.userId === userId);
const handleFor = (userId: string, windowEnd: Date) =>
  env.client.workflow.getHandle(digestWorkflowId(userId, windowEnd));

describe('digest workflow', () => {
  test('deferrals to one window: one digest, delivered when the window ends', bounded, async () => {
    const user = `digest-wf-${randomUUID()}`;
    const windowEnd = new Date((await env.currentTimeMs()) + 8 * HOUR);
    await scheduleDigest(user, windowEnd);
    await scheduleDigest(user, windowEnd);
    await scheduleDigest(user, windowEnd);
    await handleFor(user, windowEnd).result();
    const calls = callsFor(user);
    assert.equal(calls.length, 1, 'one digest for three deferrals');
    const lateMs = calls[0]!.atMs - windowEnd.getTime();
    assert.ok(lateMs >= 0 && lateMs < 60_000, `at the window's end, not ${lateMs} ms off`);
    assert.equal(calls[0]!.windowEnd, windowEnd.toISOString());
    assert.deepEqual(
      channelCalls.filter((c) => c.userId === user),
      [{ userId: user, digestId: calls[0]!.digestId }],
      'then once to e-mail/webhook',
    );
  });

  test(
    'a deferral signalled while the digest is being delivered gets another pass',
    bounded,
    async () => {
      const user = `digest-wf-${randomUUID()}`;
      const windowEnd = new Date((await env.currentTimeMs()) + HOUR);
      behaviour.set(user, [
        async () => {
          // Another reminder is deferred to this window just after the digest read its rows.
          await scheduleDigest(user, windowEnd);
          return { digestId: randomUUID(), reminders: 2 };
        },
        async () => ({ digestId: randomUUID(), reminders: 1 }),
      ]);
      await scheduleDigest(user, windowEnd);
      await handleFor(user, windowEnd).result();
      const calls = callsFor(user);
      assert.equal(calls.length, 2);
      assert.notEqual(calls[0]!.digestId, calls[1]!.digestId, 'each pass is its own digest');
      assert.equal(channelCalls.filter((c) => c.userId === user).length, 2);
    },
  );

  test('nothing left to deliver: no channel delivery', bounded, async () => {
    const user = `digest-wf-${randomUUID()}`;
    const windowEnd = new Date((await env.currentTimeMs()) + HOUR);
    behaviour.set(user, [async () => null]);
    await scheduleDigest(user, windowEnd);
    await handleFor(user, windowEnd).result();
    assert.equal(callsFor(user).length, 1);
    assert.equal(channelCalls.filter((c) => c.userId === user).length, 0);
  });

  test(
    'a deferral after the digest closed starts a new run that delivers at once',
    bounded,
    async () => {
      const user = `digest-wf-${randomUUID()}`;
      const windowEnd = new Date((await env.currentTimeMs()) + HOUR);
      await scheduleDigest(user, windowEnd);
      await handleFor(user, windowEnd).result();
      await scheduleDigest(user, windowEnd);
      const second = handleFor(user, windowEnd);
      await second.result();
      const calls = callsFor(user);
      assert.equal(calls.length, 2);
      const { startTime } = await second.describe();
      const waitedMs = calls[1]!.atMs - startTime.getTime();
      assert.ok(waitedMs < 60_000, `without waiting for another window (waited ${waitedMs} ms)`);
    },
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyTimes } from '../../bench/fire-breakdown.js';

// The breakdown reads one fire out of a reminder workflow's history: the timer that fired last
// before deliverReminder was scheduled, the workflow task that scheduled it, and the activity's
// start matched by its scheduled event id (not the first activity start that comes along).

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

test('stage instants of a fire, skipping an earlier timer and another activity', () => {
  const events = [
    { eventId: 1, eventTime: at(1000) },
    { eventId: 5, eventTime: at(2000), timerFiredEventAttributes: {} }, // cancelled and re-armed
    { eventId: 9, eventTime: at(10_000), timerFiredEventAttributes: {} },
    { eventId: 11, eventTime: at(10_030), workflowTaskStartedEventAttributes: {} },
    {
      eventId: 13,
      eventTime: at(10_050),
      activityTaskScheduledEventAttributes: { activityType: { name: 'deliverToChannels' } },
    },
    {
      eventId: 14,
      eventTime: at(10_051),
      activityTaskScheduledEventAttributes: { activityType: { name: 'deliverReminder' } },
    },
    {
      eventId: 15,
      eventTime: at(10_052),
      activityTaskStartedEventAttributes: { scheduledEventId: 13 },
    },
    {
      eventId: 16,
      eventTime: at(10_060),
      activityTaskStartedEventAttributes: { scheduledEventId: 14 },
    },
  ];
  assert.deepEqual(historyTimes(events), {
    timerFired: 10_000,
    taskStarted: 10_030,
    activityScheduled: 10_051,
    activityStarted: 10_060,
  });
});

test('a reminder due before its workflow first ran has no timer stage', () => {
  const events = [
    { eventId: 3, eventTime: at(500), workflowTaskStartedEventAttributes: {} },
    {
      eventId: 5,
      eventTime: at(520),
      activityTaskScheduledEventAttributes: { activityType: { name: 'deliverReminder' } },
    },
  ];
  const times = historyTimes(events);
  assert.equal(times.timerFired, undefined);
  assert.equal(times.activityScheduled, 520);
  assert.equal(times.activityStarted, undefined);
});

test('no deliverReminder: nothing', () => {
  assert.deepEqual(historyTimes([{ eventId: 1, eventTime: at(1) }]), {});
});

test('a fire as a local activity: its marker, the worker-side schedule time, the task around it', () => {
  const marker = (type: string, scheduledMs: number) => ({
    markerName: 'core_local_activity',
    details: {
      data: {
        payloads: [
          {
            data: Buffer.from(
              JSON.stringify({
                activity_type: type,
                original_schedule_time: at(scheduledMs),
              }),
            ),
          },
        ],
      },
    },
  });
  const events = [
    { eventId: 7, eventTime: at(9_000), workflowTaskCompletedEventAttributes: {} },
    { eventId: 9, eventTime: at(10_000), timerFiredEventAttributes: {} },
    { eventId: 11, eventTime: at(10_030), workflowTaskStartedEventAttributes: {} },
    { eventId: 12, eventTime: at(10_090), workflowTaskCompletedEventAttributes: {} },
    { eventId: 13, eventTime: at(10_090), markerRecordedEventAttributes: marker('other', 10_031) },
    {
      eventId: 14,
      eventTime: at(10_090),
      markerRecordedEventAttributes: marker('fireReminder', 10_035),
    },
  ];
  assert.deepEqual(historyTimes(events), {
    timerFired: 10_000,
    taskStarted: 10_030,
    activityScheduled: 10_035,
    activityStarted: undefined,
    taskCompleted: 10_090,
  });
});

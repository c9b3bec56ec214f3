import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryKey, digestDeliveryKey, firingKey } from '../../domain/reminder-keys.js';

// These formats are stored, carried in workflow histories and sent to webhook receivers: a change
// here would make a delivered reminder look new (sent twice) or a fired one pending.

test('a firing within its task is <reminderId>@<fireAt>, fireAt as given', () => {
  assert.equal(firingKey('r1', '2026-03-30T07:00:00.000Z'), 'r1@2026-03-30T07:00:00.000Z');
  assert.equal(firingKey('r1', '2026-03-30T09:00:00+02:00'), 'r1@2026-03-30T09:00:00+02:00');
});

test('a delivery is <taskId>:<reminderId>:<fireAt in UTC>, whatever offset fireAt was written in', () => {
  const key = 't1:r1:2026-03-30T07:00:00.000Z';
  assert.equal(deliveryKey('t1', 'r1', '2026-03-30T09:00:00+02:00'), key);
  assert.equal(deliveryKey('t1', 'r1', new Date('2026-03-30T07:00:00Z')), key);
});

test('a digest delivery is digest:<digestId>', () => {
  assert.equal(digestDeliveryKey('d1'), 'digest:d1');
});

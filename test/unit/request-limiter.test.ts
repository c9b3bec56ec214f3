import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../domain/errors.js';
import { createRequestLimiter } from '../../api/limits/request-limiter.js';

describe('request limiter (token bucket per user)', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };
  const limited = (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.ok(err.retryAfterSeconds! >= 1);
    return true;
  };

  test('a burst is allowed, the next request is RATE_LIMITED with Retry-After', () => {
    const c = clock();
    const limiter = createRequestLimiter({ ratePerSecond: 2, burst: 5, now: c.now });
    for (let i = 0; i < 5; i++) limiter.take('u1');
    assert.throws(() => limiter.take('u1'), limited);
    // Another user has a budget of their own.
    limiter.take('u2');
  });

  test('tokens come back at the rate', () => {
    const c = clock();
    const limiter = createRequestLimiter({ ratePerSecond: 2, burst: 2, now: c.now });
    limiter.take('u1');
    limiter.take('u1');
    assert.throws(() => limiter.take('u1'), limited);
    c.advance(500);
    limiter.take('u1');
    assert.throws(() => limiter.take('u1'), limited);
    c.advance(10_000);
    limiter.take('u1');
    limiter.take('u1');
    assert.throws(() => limiter.take('u1'), limited);
  });

  test('Retry-After says when one request fits again', () => {
    const c = clock();
    const limiter = createRequestLimiter({ ratePerSecond: 0.1, burst: 1, now: c.now });
    limiter.take('u1');
    assert.throws(
      () => limiter.take('u1'),
      (err: unknown) => err instanceof AppError && err.retryAfterSeconds === 10,
    );
  });

  test('memory is bounded: at most maxUsers buckets are kept', () => {
    const c = clock();
    const limiter = createRequestLimiter({ ratePerSecond: 1, burst: 1, maxUsers: 100, now: c.now });
    for (let i = 0; i < 1000; i++) limiter.take(`user-${i}`);
    // The first users were forgotten (a full bucket again); the last 100 are still spent.
    limiter.take('user-0');
    assert.throws(() => limiter.take('user-999'), limited);
  });
});

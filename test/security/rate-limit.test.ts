import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueUser } from '../support/api-client.js';
import { limitedApi } from '../support/limited-api.js';
import { tokenFor } from '../support/graphql.js';

// The per-user request limiter in the api, on the stack's PostgreSQL. The stack's own api has
// limits high enough for the suite and the benchmarks; this one gets small ones.

const LIMITS = { ratePerSecond: 2, burst: 10 };
const api = limitedApi('rate', LIMITS);

const ask = (token: string) =>
  api.app().inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    payload: { query: '{ tasks(first: 1) { edges { node { id } } } }' },
  });

describe('request rate limit', () => {
  test('a burst beyond the limit is RATE_LIMITED with HTTP 429 and Retry-After', async () => {
    const token = await tokenFor(uniqueUser('rate'));
    const answers = await Promise.all(Array.from({ length: LIMITS.burst * 3 }, () => ask(token)));
    const limited = answers.filter((a) => a.statusCode === 429);
    const served = answers.filter((a) => a.statusCode === 200);
    assert.equal(served.length, LIMITS.burst);
    assert.equal(limited.length + served.length, answers.length);
    for (const a of limited) {
      assert.ok(Number(a.headers['retry-after']) >= 1, `Retry-After ${a.headers['retry-after']}`);
      const body = a.json<{ errors: { extensions: { code: string } }[] }>();
      assert.equal(body.errors[0]!.extensions.code, 'RATE_LIMITED');
    }
    // Another user is not held back by the first one's burst.
    assert.equal((await ask(await tokenFor(uniqueUser('rate-other')))).statusCode, 200);
  });
});

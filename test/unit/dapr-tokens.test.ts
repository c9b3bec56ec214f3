import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerHttpErrors } from '../../platform/http-errors.js';
import { createHttpApp } from '../../platform/http.js';
import { createLogger } from '../../platform/logger.js';
import { requireDaprAppToken } from '../../platform/dapr-tokens.js';

// The app-token check in-process; test/security/boundaries.test.ts checks it on the stack.

const TOKEN = 'the-app-token-0123456789';

async function appWithToken() {
  const log = createLogger('test', 'silent');
  const app = createHttpApp(log);
  registerHttpErrors(app, log);
  let handled = 0;
  void app.register(async (dapr) => {
    requireDaprAppToken(dapr, TOKEN);
    dapr.post('/events/x', async () => {
      handled++;
      return { status: 'SUCCESS' };
    });
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.ready();
  return { app, handled: () => handled };
}

test('a route Dapr calls answers 401 UNAUTHENTICATED without the token, or with a wrong one', async () => {
  const { app, handled } = await appWithToken();
  for (const headers of [
    {},
    { 'dapr-api-token': 'wrong' },
    { 'dapr-api-token': TOKEN.slice(0, -1) },
    { 'dapr-api-token': `${TOKEN}x` },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/events/x', headers, payload: {} });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'UNAUTHENTICATED');
  }
  assert.equal(handled(), 0);
  await app.close();
});

test('with the token the route runs; routes outside the scope need none', async () => {
  const { app, handled } = await appWithToken();
  const res = await app.inject({
    method: 'POST',
    url: '/events/x',
    headers: { 'dapr-api-token': TOKEN },
    payload: {},
  });
  assert.equal(res.statusCode, 200);
  assert.equal(handled(), 1);
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  await app.close();
});

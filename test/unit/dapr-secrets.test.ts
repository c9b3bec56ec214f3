import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  envWithDaprSecrets,
  secretStoreSettings,
  type ConnectedClient,
  type DaprSecretClient,
} from '../../platform/dapr-secrets.js';
import { manualClock } from './support/manual-clock.js';

// The start-up read of secrets through the sidecar, against a fake of the SDK's client (the
// answers @dapr/dapr 3.18's HTTP client gives) and, once, the real SDK against a loopback
// stand-in for the sidecar's HTTP API. test/security/secret-store.test.ts runs it on the stack.

const VALUE = 'the-jwt-secret-value-0123456789';
const ENV = {
  SECRET_STORE: 'tickler-secrets',
  SECRET_REF_JWT_SECRET: 'tickler-jwt/JWT_SECRET',
  SECRET_REF_DATABASE_URL: 'tickler-db-api/DATABASE_URL',
  SECRET_REF_APP_API_TOKEN: 'tickler-jwt/APP_TOKEN',
  DAPR_HTTP_PORT: '3500',
  DAPR_API_TOKEN: 'the-dapr-api-token-0123',
  LOG_LEVEL: 'info',
};
const STORE: Record<string, Record<string, string>> = {
  'tickler-jwt': { JWT_SECRET: VALUE, APP_TOKEN: 'an-app-token-0123456789' },
  'tickler-db-api': { DATABASE_URL: 'postgres://tickler_api:pw@db/tickler' },
};

/** As the SDK throws when the sidecar answers with an error (HTTPClient.execute). */
const answered = (status: number, errorCode: string, message: string) =>
  new Error(
    JSON.stringify({
      error: 'Internal Server Error',
      error_msg: JSON.stringify({ errorCode, message }),
      status,
    }),
  );
const notFound = (store: string, name: string) =>
  answered(
    500,
    'ERR_SECRET_GET',
    `failed getting secret with key ${name} from secret store ${store}: secret ${name} not found`,
  );

function fakeSidecar(answer: (store: string, name: string) => Promise<object>) {
  const calls: string[] = [];
  let closed = 0;
  const client: DaprSecretClient = {
    secret: {
      get: (store, name) => {
        calls.push(`${store}/${name}`);
        return answer(store, name);
      },
    },
  };
  const connect = async (): Promise<ConnectedClient> => ({
    client,
    close: async () => void closed++,
  });
  return { connect, calls, closed: () => closed };
}

const fromStore = async (store: string, name: string) => {
  const secret = STORE[name];
  if (!secret) throw notFound(store, name);
  return { ...secret };
};
const fast = { retryDelayMs: 5 };

test('without SECRET_STORE the environment is used as it is, and no sidecar is asked', async () => {
  const sidecar = fakeSidecar(fromStore);
  const env = { DATABASE_URL: 'postgres://x@db/t', JWT_SECRET: VALUE };
  assert.equal(await envWithDaprSecrets(env, sidecar.connect), env);
  assert.deepEqual(sidecar.calls, []);
});

test('each referenced variable gets its key of its secret; one read per secret; the input is left alone', async () => {
  const sidecar = fakeSidecar(fromStore);
  const input = { ...ENV };
  const env = await envWithDaprSecrets(input, sidecar.connect, fast);
  assert.equal(env.JWT_SECRET, VALUE);
  assert.equal(env.APP_API_TOKEN, 'an-app-token-0123456789');
  assert.equal(env.DATABASE_URL, 'postgres://tickler_api:pw@db/tickler');
  assert.equal(env.LOG_LEVEL, 'info');
  assert.deepEqual(sidecar.calls.sort(), [
    'tickler-secrets/tickler-db-api',
    'tickler-secrets/tickler-jwt',
  ]);
  assert.deepEqual(input, ENV, 'the environment passed in is not changed');
  assert.equal(sidecar.closed(), 1);
});

test('a secret the store lacks fails start-up naming store and secret, after a few tries', async () => {
  const sidecar = fakeSidecar(fromStore);
  const clock = manualClock();
  const t0 = clock.now();
  await assert.rejects(
    clock.until(
      envWithDaprSecrets(
        { ...ENV, SECRET_REF_JWT_SECRET: 'tickler-jwt-missing/JWT_SECRET' },
        sidecar.connect,
        { clock, attempts: 3 },
      ),
    ),
    (err: Error) => {
      assert.match(err.message, /Dapr secret store "tickler-secrets"/);
      assert.match(err.message, /secret "tickler-jwt-missing"/);
      assert.match(err.message, /HTTP 500, ERR_SECRET_GET: .*not found/);
      return true;
    },
  );
  assert.equal(sidecar.calls.filter((c) => c.endsWith('/tickler-jwt-missing')).length, 3);
  assert.equal(clock.now() - t0, 2 * 500, 'two pauses of retryDelayMs between the three tries');
  assert.equal(sidecar.closed(), 1, 'the client is let go on failure too');
});

test('a key the secret lacks is named with its secret; no value appears in the message', async () => {
  const sidecar = fakeSidecar(fromStore);
  await assert.rejects(
    envWithDaprSecrets(
      { ...ENV, SECRET_REF_JWT_SECRET: 'tickler-jwt/NOPE', SECRET_REF_X: 'tickler-jwt/ALSO_NOPE' },
      sidecar.connect,
      fast,
    ),
    (err: Error) => {
      assert.match(err.message, /JWT_SECRET: secret "tickler-jwt" has no key "NOPE"/);
      assert.match(err.message, /X: secret "tickler-jwt" has no key "ALSO_NOPE"/);
      assert.doesNotMatch(err.message, new RegExp(VALUE));
      return true;
    },
  );
});

test('a sidecar that is not up yet is waited for; one that never answers fails within the bound', async () => {
  let down = 3;
  const late = fakeSidecar(async (store, name) => {
    if (down-- > 0) throw new Error('DAPR_SIDECAR_COULD_NOT_BE_STARTED');
    return fromStore(store, name);
  });
  const clock = manualClock();
  const env = await clock.until(envWithDaprSecrets({ ...ENV }, late.connect, { clock }));
  assert.equal(env.JWT_SECRET, VALUE);

  const never = fakeSidecar(() => new Promise<object>(() => {}));
  const t0 = clock.now();
  await assert.rejects(
    clock.until(
      envWithDaprSecrets({ ...ENV, SECRET_STORE_TIMEOUT_MS: '150' }, never.connect, { clock }),
    ),
    /sidecar 127\.0\.0\.1:3500\): the sidecar did not answer within 150 ms/,
  );
  assert.equal(clock.now() - t0, 150, 'it gave up at the deadline, not later');
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('bad settings are all reported at once, before any sidecar is asked', () => {
  assert.throws(
    () =>
      secretStoreSettings({
        SECRET_REF_JWT_SECRET: 'tickler-jwt',
        SECRET_REF_DATABASE_URL: 'tickler-db/DATABASE_URL',
        DATABASE_URL: 'postgres://also@set/here',
        SECRET_REF_lower: 'a/b',
      }),
    (err: Error) => {
      assert.match(err.message, /SECRET_REF_JWT_SECRET: must be <secret>\/<key>/);
      assert.match(
        err.message,
        /DATABASE_URL: set in the environment and by SECRET_REF_DATABASE_URL/,
      );
      assert.match(err.message, /SECRET_REF_lower: not a variable name/);
      assert.match(err.message, /SECRET_STORE: required when a SECRET_REF_\* variable is set/);
      return true;
    },
  );
  assert.throws(
    () => secretStoreSettings({ SECRET_STORE: 'tickler-secrets', SECRET_STORE_TIMEOUT_MS: '0' }),
    (err: Error) =>
      /DAPR_HTTP_PORT: required with SECRET_STORE/.test(err.message) &&
      /SECRET_STORE_TIMEOUT_MS/.test(err.message),
  );
});

test("the real SDK reads through the sidecar's HTTP API with the API token, and its errors are understood", async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['dapr-api-token'] ?? '-'}`);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers['dapr-api-token'] !== ENV.DAPR_API_TOKEN)
      return json(401, { errorCode: 'ERR_UNAUTHORIZED', message: 'bad token' });
    if (req.url === '/v1.0/metadata') return json(200, { id: 'api' });
    const m = /^\/v1\.0\/secrets\/tickler-secrets\/([^/?]+)$/.exec(req.url ?? '');
    const secret = m && STORE[m[1]!];
    if (secret) return json(200, secret);
    return json(500, { errorCode: 'ERR_SECRET_GET', message: `secret ${m?.[1]} not found` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = String((server.address() as AddressInfo).port);
  try {
    const env = await envWithDaprSecrets({ ...ENV, DAPR_HTTP_PORT: port }, undefined, fast);
    assert.equal(env.JWT_SECRET, VALUE);
    assert.ok(seen.includes(`GET /v1.0/secrets/tickler-secrets/tickler-jwt ${ENV.DAPR_API_TOKEN}`));
    await assert.rejects(
      envWithDaprSecrets(
        { ...ENV, DAPR_HTTP_PORT: port, SECRET_REF_JWT_SECRET: 'gone/JWT_SECRET' },
        undefined,
        fast,
      ),
      /secret "gone" \(HTTP 500, ERR_SECRET_GET: secret gone not found\)/,
    );
  } finally {
    server.close();
    server.closeAllConnections();
  }
});

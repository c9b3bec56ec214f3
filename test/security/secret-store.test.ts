import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../stack/paths.js';
import { gql, tokenFor } from '../support/graphql.js';
import { testEnv } from '../support/env.js';

// Secrets through the Dapr secret store on the real stack (platform/dapr-secrets.ts,
// stack/secret-store.ts): the services started by the stack carry references, not values, and
// read the values through their own sidecar, which holds only its own app's secrets.

const STORE = 'tickler-secrets';

/** The environment a running process started with, by variable (/proc/<pid>/environ). */
function environOf(pid: string): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** The stack's api process: the one running api/main.ts on the tests' api port (other stacks may run on this machine). */
function stackApiEnviron(): Map<string, string> {
  const port = new URL(testEnv.apiUrl).port;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(join(ROOT, 'api/main.ts'))) continue;
      const env = environOf(pid);
      if (env.get('PORT') === port) return env;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  throw new Error(`no api process on port ${port}`);
}

const secretVia = (sidecar: string, name: string) =>
  fetch(`${sidecar}/v1.0/secrets/${STORE}/${name}`, {
    headers: { 'dapr-api-token': testEnv.daprApiToken },
  });

test('the api got its JWT secret and database URL from the store: its environment holds only references, and tokens verify', async () => {
  const env = stackApiEnviron();
  assert.equal(env.get('SECRET_STORE'), STORE);
  assert.equal(env.get('SECRET_REF_JWT_SECRET'), 'tickler-jwt/JWT_SECRET');
  assert.equal(env.get('SECRET_REF_DATABASE_URL'), 'tickler-db-api/DATABASE_URL');
  assert.equal(env.has('JWT_SECRET'), false);
  assert.equal(env.has('DATABASE_URL'), false);
  for (const [name, value] of env)
    assert.ok(!value.includes(testEnv.jwtSecret), `${name} carries the JWT secret`);
  // The api verifies a token signed with the secret only its store holds, and reads PostgreSQL.
  const { status, body } = await gql(
    '{ me { id } }',
    {},
    { token: await tokenFor('secret-store') },
  );
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body.data, { me: { id: 'secret-store' } });
});

test("each sidecar's store holds its own app's secrets and no other's", async () => {
  const jwt = await secretVia(testEnv.apiDaprHttp, 'tickler-jwt');
  assert.equal(jwt.status, 200);
  assert.deepEqual(await jwt.json(), { JWT_SECRET: testEnv.jwtSecret });
  for (const [sidecar, other] of [
    [testEnv.apiDaprHttp, 'tickler-db-audit'],
    [testEnv.apiDaprHttp, 'tickler-dapr-app-token'],
    [testEnv.syncDaprHttp, 'tickler-db-api'],
  ] as const) {
    const res = await secretVia(sidecar, other);
    const text = await res.text();
    assert.equal(res.status, 500, `${other} via ${sidecar}: ${text}`);
    assert.match(text, /ERR_SECRET_GET/);
  }
});

test("no app reads its sidecar's environment through the secrets API (envstore is the components' only)", async () => {
  // envstore answers the components' secretKeyRefs (the sidecar's Kafka user and password);
  // dapr/config.yaml's secret scope denies it to the apps. A component still gets it: the
  // events that reach the audit log went through Kafka with that password.
  for (const sidecar of [testEnv.apiDaprHttp, testEnv.syncDaprHttp]) {
    const res = await fetch(`${sidecar}/v1.0/secrets/envstore/KAFKA_SASL_PASSWORD`, {
      headers: { 'dapr-api-token': testEnv.daprApiToken },
    });
    const text = await res.text();
    assert.equal(res.status, 403, `envstore via ${sidecar}: ${text}`);
    assert.match(text, /ERR_PERMISSION_DENIED/);
  }
});

test('a service whose secret is missing from the store fails to start, naming the store and the secret', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SECRET_STORE: STORE,
      SECRET_REF_DATABASE_URL: 'tickler-db-api/DATABASE_URL',
      SECRET_REF_JWT_SECRET: 'tickler-jwt-rotated/JWT_SECRET',
      DAPR_HTTP_PORT: new URL(testEnv.apiDaprHttp).port,
      DAPR_API_TOKEN: testEnv.daprApiToken,
      PORT: '1', // never reached: it must stop before listening
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const t0 = Date.now();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1, output);
  assert.ok(Date.now() - t0 < 20_000, 'a refusal is not waited out like an absent sidecar');
  assert.match(
    output,
    new RegExp(
      `Dapr secret store \\\\"${STORE}\\\\".*cannot read secret \\\\"tickler-jwt-rotated\\\\"`,
    ),
  );
  assert.doesNotMatch(output, /postgres:\/\//, 'the database URL it did read is not logged');
});

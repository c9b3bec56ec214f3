import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../stack/paths.js';
import { searchAttributeDefinitions } from '../../stack/temporal-search-attributes.js';
import { testEnv } from '../support/env.js';

// The scripts the Helm chart's Jobs run, against the test stack: the search-attribute hook (run
// twice on a fresh namespace: the second run changes nothing) and `helm test`'s smoke test.

const run = promisify(execFile);
const script = (file: string, env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });

test('register-search-attributes adds the missing ones once, then leaves them', async () => {
  const namespace = `chart-${randomUUID().slice(0, 8)}`;
  await run(testEnv.temporalCli, [
    'operator',
    'namespace',
    'create',
    '--address',
    testEnv.temporalAddress,
    '--namespace',
    namespace,
  ]);
  const env = { TEMPORAL_ADDRESS: testEnv.temporalAddress, TEMPORAL_NAMESPACE: namespace };
  const names = Object.keys(searchAttributeDefinitions());
  // A namespace just created may take a moment to be served.
  let first: { stdout: string } | undefined;
  for (let attempt = 0; !first; attempt++) {
    try {
      first = await script('scripts/register-search-attributes.ts', env);
    } catch (err) {
      if (attempt >= 10 || !/not found|NotFound/i.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  assert.match(first.stdout, new RegExp(`added ${names.join(', ')}; 0 already there`));
  const second = await script('scripts/register-search-attributes.ts', env);
  assert.match(second.stdout, new RegExp(`added none; ${names.length} already there`));
});

test('smoke-task creates a task through the api and reads it back', async () => {
  const { stdout } = await script('scripts/smoke-task.ts', {
    SMOKE_API_URL: testEnv.apiUrl,
    JWT_SECRET: testEnv.jwtSecret,
  });
  assert.match(stdout, /created and read back task [0-9a-f-]{36}/);
});

test('smoke-task fails when the api refuses it', async () => {
  await assert.rejects(
    script('scripts/smoke-task.ts', {
      SMOKE_API_URL: testEnv.apiUrl,
      SMOKE_TOKEN: 'not-a-token',
    }),
    /401|UNAUTHENTICATED/,
  );
});

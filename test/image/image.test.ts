import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../stack/ports.js';
import { ROOT } from '../../stack/paths.js';
import { testEnv } from '../support/env.js';
import { gql, tokenFor } from '../support/graphql.js';
import {
  logsOf,
  mainProcess,
  podman,
  podmanResult,
  runDetached,
  runToEnd,
  sh,
} from '../support/podman.js';

// The image, built for real from ./Dockerfile (scripts/build-image.sh: buildah, no daemon, no
// registry), run for real: the api against the test stack's PostgreSQL (a task created through
// it and read back), the worker against its Temporal, both hardened as the chart runs them. It
// checks what the issue asks of the image: /readyz, a non-root uid, the size, no dev
// dependencies, the workflow bundle inside, and a stop (SIGTERM) that ends promptly and cleanly.

const IMAGE = 'localhost/tickler:test';
const UID = 10001;
/** 458 MB measured (docs/operations.md, Image and CI/CD): room for a few dependencies, not for dev ones. */
const SIZE_BUDGET_MB = 480;
const run = randomBytes(4).toString('hex');
const started: string[] = [];

async function waitReady(url: string, name: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `answered ${res.status}: ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${name} not ready at ${url} (${last}); its log:\n${await logsOf(name)}`);
}

/** Stops a container as Kubernetes does (SIGTERM, then SIGKILL after the grace period). */
async function stopTimed(name: string): Promise<{ ms: number; exitCode: number }> {
  const t0 = Date.now();
  await podman('stop', '--time=20', name);
  const ms = Date.now() - t0;
  console.log(`${name} stopped in ${ms} ms`);
  const exitCode = Number(await podman('inspect', '--format={{.State.ExitCode}}', name));
  return { ms, exitCode };
}

async function checkServiceProcess(name: string): Promise<void> {
  const { uids, argv } = await mainProcess(name);
  assert.deepEqual(uids, [UID, UID, UID, UID], `${name}'s process runs as ${uids.join(',')}`);
  // node itself is PID 1 and receives the signals (no shell in between).
  assert.equal(argv[0], 'node');
  const write = await podmanResult(
    'exec',
    name,
    'node',
    '-e',
    "require('fs').writeFileSync('/app/x', '')",
  );
  assert.notEqual(write.code, 0, 'the root filesystem should be read-only');
  assert.match(write.stderr, /EROFS|read-only/);
}

describe('the image', () => {
  before(async () => {
    const build = await sh('bash', [join(ROOT, 'scripts/build-image.sh'), IMAGE]);
    assert.equal(build.code, 0, `build failed:\n${build.stdout}\n${build.stderr.slice(-4000)}`);
    console.log(build.stderr.trim().split('\n').at(-1));
  });
  after(async () => {
    for (const name of started) await podmanResult('rm', '--force', name);
  });

  test(`is at most ${SIZE_BUDGET_MB} MB and runs as uid ${UID} by default`, async () => {
    const size = Number(await podman('image', 'inspect', '--format={{.Size}}', IMAGE));
    console.log(`image size: ${(size / 1e6).toFixed(0)} MB`);
    assert.ok(size <= SIZE_BUDGET_MB * 1e6, `${(size / 1e6).toFixed(0)} MB`);
    assert.equal(
      await podman('image', 'inspect', '--format={{.Config.User}}', IMAGE),
      `${UID}:${UID}`,
    );
  });

  test('holds no dev dependency, and the workflow bundle', async () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, p]) => p.dev && path.startsWith('node_modules/'))
      .map(([path]) => path);
    assert.ok(devOnly.length > 0);
    const script = `const fs = require('fs');
      const paths = JSON.parse(process.argv[1]);
      console.log(JSON.stringify(paths.filter((p) => fs.existsSync('/app/' + p))));
      console.log(fs.statSync(process.env.WORKFLOW_BUNDLE).size);`;
    const out = await podman(
      'run',
      '--rm',
      '--network=none',
      '--ulimit=nofile=1024:1024',
      '--ulimit=nproc=1024:1024',
      '--entrypoint=node',
      IMAGE,
      '-e',
      script,
      JSON.stringify(devOnly),
    );
    const [present, bundleSize] = out.split('\n');
    assert.deepEqual(JSON.parse(present!), []);
    assert.ok(Number(bundleSize) > 100_000, `workflow bundle of ${bundleSize} bytes`);
  });

  test('the api: ready on the stack PostgreSQL, serves GraphQL, stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const name = `tickler-image-api-${run}`;
    started.push(name);
    await runDetached(
      IMAGE,
      name,
      {
        DATABASE_URL: testEnv.serviceDatabaseUrls.api,
        JWT_SECRET: testEnv.jwtSecret,
        HOST: '127.0.0.1',
        PORT: String(port),
        // No sidecar for this api: only Task.history would need one, and it is not asked.
        DAPR_HTTP_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      },
      ['api/main.ts'],
    );
    await waitReady(`http://127.0.0.1:${port}/readyz`, name);
    await checkServiceProcess(name);

    const url = `http://127.0.0.1:${port}/graphql`;
    const token = await tokenFor(`image-test-${run}`);
    const created = await gql<{ createTask: { id: string } }>(
      'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id } }',
      { input: { title: 'Built into an image' } },
      { token, url },
    );
    assert.equal(created.body.errors, undefined, JSON.stringify(created.body.errors));
    const id = created.body.data!.createTask.id;
    const read = await gql<{ task: { title: string } | null }>(
      'query ($id: ID!) { task(id: $id) { title } }',
      { id },
      { token, url },
    );
    assert.equal(read.body.data?.task?.title, 'Built into an image');

    // The chart's `helm test` is the image's own smoke script, run against this api.
    const smoke = await runToEnd(IMAGE, { SMOKE_API_URL: url, JWT_SECRET: testEnv.jwtSecret }, [
      'scripts/smoke-task.ts',
    ]);
    assert.equal(smoke.code, 0, smoke.stderr);
    assert.match(smoke.stdout, /created and read back task/);

    const stop = await stopTimed(name);
    assert.equal(stop.exitCode, 0, await logsOf(name));
    assert.ok(stop.ms < 10_000, `stopping took ${stop.ms} ms`);
  });

  test("the chart's search-attribute Job runs from the image, idempotently", async () => {
    const register = () =>
      runToEnd(IMAGE, { TEMPORAL_ADDRESS: testEnv.temporalAddress }, [
        'scripts/register-search-attributes.ts',
      ]);
    const first = await register();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^search attributes in default: added /);
    // A second run (every helm upgrade) finds them all and changes nothing.
    const second = await register();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /added none/);
  });

  test('the worker: ready on the stack Temporal with the prebuilt bundle, stops cleanly', async () => {
    const port = await freePort();
    const name = `tickler-image-worker-${run}`;
    started.push(name);
    await runDetached(
      IMAGE,
      name,
      {
        DATABASE_URL: testEnv.serviceDatabaseUrls.worker,
        TEMPORAL_ADDRESS: testEnv.temporalAddress,
        HOST: '127.0.0.1',
        HEALTH_PORT: String(port),
        // Its own task queue and no relay: it must take no work from the stack's worker.
        TASK_QUEUE: `image-test-${run}`,
        RELAY: 'false',
        LOG_LEVEL: 'warn',
      },
      ['worker/main.ts'],
    );
    await waitReady(`http://127.0.0.1:${port}/readyz`, name);
    await checkServiceProcess(name);
    const stop = await stopTimed(name);
    assert.equal(stop.exitCode, 0, await logsOf(name));
    assert.ok(stop.ms < 10_000, `stopping took ${stop.ms} ms`);
  });
});

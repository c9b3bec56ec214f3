import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliFatal } from '../platform/lifecycle.js';
import { stackDaprTokens } from './dapr-tokens.js';
import { ROOT, stackPaths } from './paths.js';
import { credentialsTestEnv } from './test-credentials.js';
import { testPorts } from './ports.js';
import { startStack, type RunningStack } from './stack.js';
import { startTestControl, type TestControl } from './test-control.js';
import { stackTestFiles } from './test-files.js';

// The test command: starts the real stack on free loopback ports with throwaway state, runs
// every test file outside the fast tier (test/unit/, which `npm test` runs before this through
// `npm run test:unit`; see stack/test-files.ts), or the files named, with node's test runner
// against it, and stops everything it started, also
// when a test fails or the run is interrupted. Exits with the test runner's code.

async function main(): Promise<void> {
  const state = mkdtempSync(join(tmpdir(), 'tickler-test-'));
  // PostgreSQL runs as its own user when we are root; it must be able to enter the folder.
  chmodSync(state, 0o755);
  const paths = stackPaths(state);
  const jwtSecret = randomBytes(32).toString('base64url');
  let ports = await testPorts();
  let stack: RunningStack | undefined;
  let control: TestControl | undefined;
  let exitCode = 1;

  const cleanup = async () => {
    await control?.close();
    control = undefined;
    await stack?.stop();
    stack = undefined;
    if (exitCode === 0 || process.env.TICKLER_KEEP_STATE !== '1')
      rmSync(state, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().then(() => process.exit(130)));
  }
  process.on('exit', () => stack?.killNow());

  try {
    const t0 = Date.now();
    console.log(`starting the test stack (state and logs in ${state})`);
    // Free ports are picked before the processes bind them; another program can take one in
    // between. That is worth one more try with fresh ports, never a failed run.
    for (let attempt = 1; ; attempt++) {
      try {
        stack = await startStack({
          paths,
          ports,
          ephemeral: true,
          jwtSecret,
          log: (line) => console.log(line),
          onCrash: (name, detail) =>
            console.error(`\n!! ${name} stopped during the tests: ${detail}`),
        });
        break;
      } catch (err) {
        if (attempt >= 3 || !/EADDRINUSE|address already in use/.test(String(err))) throw err;
        console.log(
          `a port was taken meanwhile; starting again on fresh ports (attempt ${attempt + 1})`,
        );
        rmSync(state, { recursive: true, force: true });
        mkdirSync(state, { recursive: true, mode: 0o755 });
        ports = await testPorts();
      }
    }
    console.log(`test stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    control = await startTestControl(stack!.ctx, jwtSecret);
    const controlUrl = control.url;
    const daprTokens = stackDaprTokens(paths.state);

    const files = process.argv.slice(2).length ? process.argv.slice(2) : stackTestFiles();
    exitCode = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
        {
          cwd: ROOT,
          stdio: 'inherit',
          env: {
            ...process.env,
            TICKLER_DATABASE_URL: stack!.databaseUrl,
            TICKLER_API_URL: `http://127.0.0.1:${ports.api}/graphql`,
            TICKLER_SYNC_URL: `ws://127.0.0.1:${ports.sync}/graphql`,
            TICKLER_TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
            TICKLER_JWT_SECRET: jwtSecret,
            TICKLER_TEST_SERVER: join(paths.tools, 'bin/temporal-test-server'),
            TICKLER_TEMPORAL_CLI: join(paths.tools, 'bin/temporal'),
            TICKLER_LOGS: paths.logs,
            TICKLER_API_DAPR_HTTP: `http://127.0.0.1:${ports.dapr.api.http}`,
            TICKLER_SYNC_DAPR_HTTP: `http://127.0.0.1:${ports.dapr['sync-service'].http}`,
            TICKLER_SYNC_INTERNAL_URL: `http://127.0.0.1:${ports.syncInternal}`,
            TICKLER_AUDIT_URL: `http://127.0.0.1:${ports.audit}`,
            TICKLER_DAPR_API_TOKEN: daprTokens.daprApiToken,
            TICKLER_APP_API_TOKEN: daprTokens.appApiToken,
            TICKLER_STACK_CONTROL: controlUrl,
            ...credentialsTestEnv(stack!.ctx),
          },
        },
      );
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await cleanup();
  }
  if (exitCode !== 0)
    console.error(
      `tests failed (exit code ${exitCode}); service logs were in ${paths.logs} (TICKLER_KEEP_STATE=1 keeps them)`,
    );
  process.exit(exitCode);
}

main().catch(cliFatal);

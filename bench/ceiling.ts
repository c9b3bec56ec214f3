import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliFatal } from '../platform/lifecycle.js';
import { startPostgres, startTemporal, type ComponentContext } from '../stack/components.js';
import { ROOT, stackPaths } from '../stack/paths.js';
import { provisionTemporalServer } from '../stack/temporal-server.js';
import { testPorts } from '../stack/ports.js';
import { createProcessGroup } from '../stack/processes.js';
import { withStopOnSignal } from '../stack/stop-on-signal.js';
import { waitFor } from '../stack/wait.js';
import { argValue, quantile, sortNumbers } from './stats.js';
import { completionRate } from './completion-rate.js';
import { describeTemporal, temporalArg } from './bench-stack.js';

// The ceiling for reminders on this machine (issue 14; a benchmark, not a test):
//   npm run bench:ceiling -- --count 1000 [--window 60] [--lead S] [--temporal postgres]
// The Temporal dev server as bench:reminders starts it (in-memory SQLite, same flags; or with
// --temporal postgres the Temporal server on a PostgreSQL of its own, fsync off) and one
// worker process configured like Tickler's (bench/ceiling-worker.ts) running the most trivial
// reminder there is: start → timer → complete (bench/ceiling-workflow.ts). `count` workflows,
// timers spread evenly over a `window`-second window that opens `lead` seconds after the starts
// begin, exactly as bench:reminders spreads its reminders. Nothing else runs: this is the best
// any reminder design on Temporal can do here.
// lateness = the workflow's close time (server clock) − its timer's due time.
// rate_per_s = completions / (last completion − window opening); it is the offered rate
// (count / window) until the server and worker saturate: a short --window measures the burst
// they sustain. `npm run bench:reminders -- … --ceiling <rate_per_s>` prints Tickler's rate as a
// ratio of it. Last line:
//   ceiling count=<n> rate_per_s=<n> p50_ms=<n> p99_ms=<n> max_ms=<n> missed=<n>

const TASK_QUEUE = 'bench-ceiling';
const WORKFLOW_CACHE_SIZE = '200'; // worker/config.ts's default, which the stack uses

async function main(): Promise<void> {
  const count = argValue('count', 1000);
  const windowS = argValue('window', 60);
  const lead = argValue('lead', Math.max(30, Math.ceil(count / 100)));
  const log = (line: string) => console.log(line);
  const temporal = temporalArg();
  if (temporal === 'postgres') await provisionTemporalServer(ROOT);

  const state = mkdtempSync(join(tmpdir(), 'tickler-ceiling-'));
  chmodSync(state, 0o755);
  const paths = stackPaths(state);
  mkdirSync(paths.logs, { recursive: true });
  const ports = await testPorts();
  let failure: string | undefined;
  const group = createProcessGroup(paths.logs, (m, how) => {
    failure ??= `${m.name} exited (${how})`;
  });
  const ctx: ComponentContext = {
    paths,
    ports,
    group,
    ephemeral: true,
    temporalOnDisk: false,
    temporal,
    log,
    failure: () => failure,
  };
  log(`machine: ${cpus().length} cores; ${describeTemporal(temporal)}, one worker`);

  await withStopOnSignal(
    async () => {
      let connection: Connection | undefined;
      return {
        async stop() {
          await connection?.close();
          await group.stopAll();
          rmSync(state, { recursive: true, force: true });
        },
        killNow: () => group.killAll(),
        setConnection: (c: Connection) => (connection = c),
      };
    },
    async ({ setConnection }) => {
      const t0 = Date.now();
      const bundle = join(state, 'ceiling-bundle.js');
      const [, { code }] = await Promise.all([
        // The Temporal server's state lives in PostgreSQL (as the stack starts it, fsync off).
        temporal === 'postgres'
          ? startPostgres(ctx).then(() => startTemporal(ctx))
          : startTemporal(ctx),
        bundleWorkflowCode({
          workflowsPath: fileURLToPath(new URL('./ceiling-workflow.ts', import.meta.url)),
          logger: new DefaultLogger('WARN'),
        }),
      ]);
      writeFileSync(bundle, code);
      group.start({
        name: 'ceiling-worker',
        command: process.execPath,
        args: ['--enable-source-maps', '--import', 'tsx', join(ROOT, 'bench/ceiling-worker.ts')],
        cwd: ROOT,
        env: {
          TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
          TASK_QUEUE,
          WORKFLOW_BUNDLE: bundle,
          WORKFLOW_CACHE_SIZE,
          // As the stack starts Tickler's worker (stack/components.ts).
          NODE_OPTIONS: '--max-old-space-size=256',
        },
      });
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      setConnection(connection);
      const client = new Client({ connection, namespace: 'default' });
      await waitFor(
        'ceiling worker polling',
        async () => {
          const { pollers } = await connection.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: TASK_QUEUE },
          });
          return (pollers?.length ?? 0) > 0;
        },
        { failed: () => failure },
      );
      log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${process.pid})`);

      const opens = Date.now() + lead * 1000;
      const fireAts = Array.from(
        { length: count },
        (_, i) => opens + Math.floor((i * windowS * 1000) / count),
      );
      let next = 0;
      const s0 = Date.now();
      // 32 at a time, as bench:reminders sends its creates.
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < count) {
            const i = next++;
            await client.workflow.start('ceilingWorkflow', {
              taskQueue: TASK_QUEUE,
              workflowId: `ceiling-${i}-${fireAts[i]}`,
              args: [fireAts[i]!],
            });
          }
        }),
      );
      log(
        `started ${count} workflows in ${((Date.now() - s0) / 1000).toFixed(1)} s; window opens in ${((opens - Date.now()) / 1000).toFixed(1)} s`,
      );
      if (Date.now() > opens)
        log('warning: the window opened before all workflows were started (raise --lead)');
      const closes = opens + windowS * 1000;
      const query = `WorkflowType = 'ceilingWorkflow' AND ExecutionStatus = 'Completed'`;
      // Past saturation the backlog drains after the window: wait while it still moves.
      let progressAt = Date.now();
      let before = 0;
      while (Date.now() < Math.max(closes, progressAt) + 15_000) {
        await new Promise((r) => setTimeout(r, 5000));
        const { count: done } = await client.workflow.count(query);
        log(`  ${done} / ${count} completed`);
        if (done >= count && Date.now() > closes) break;
        if (done > before) [before, progressAt] = [done, Date.now()];
      }
      const closed: { late: number; at: number }[] = [];
      for await (const wf of client.workflow.list({ query })) {
        const fireAt = Number(wf.workflowId.split('-').at(-1));
        const at = wf.closeTime?.getTime() ?? NaN;
        closed.push({ late: at - fireAt, at });
      }
      const lateness = sortNumbers(closed.map((c) => c.late));
      const rate = completionRate(
        closed.map((c) => c.at),
        opens,
      );
      console.log(
        `ceiling count=${count} rate_per_s=${rate.toFixed(1)} p50_ms=${Math.round(quantile(lateness, 0.5))} p99_ms=${Math.round(quantile(lateness, 0.99))} max_ms=${Math.round(lateness.at(-1) ?? NaN)} missed=${count - closed.length}`,
      );
    },
  );
}

main().catch(cliFatal);

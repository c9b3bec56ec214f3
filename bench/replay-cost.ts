import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { cliFatal } from '../platform/lifecycle.js';
import { argText, argValue } from './stats.js';

// What the worker pays, in CPU, to bring one evicted reminder workflow back: a fire whose run is
// no longer in the workflow cache replays its whole history first (issue 14). No server: the
// SDK's replayer runs the recorded history through the same sandbox (a worker thread, one V8
// context reused) the worker uses, so node flags and SDK options are measured as they run.
//   npm run bench:replay-cost -- [--count 500] [--history v5-fires-once]
//   node --enable-source-maps --import tsx bench/replay-cost.ts   (to compare a node flag)
// Last line: replay history=<name> n=<n> events=<n> cpu_ms_per_replay=<n> wall_ms_per_replay=<n>

async function main(): Promise<void> {
  const count = argValue('count', 500);
  const name = argText('history') ?? 'v5-fires-once';
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const history = JSON.parse(
    readFileSync(
      fileURLToPath(new URL(`../test/workflows/histories/${name}.json`, import.meta.url)),
      'utf8',
    ),
  ) as { events: unknown[] };
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  const replay = async (n: number): Promise<void> => {
    const results = Worker.runReplayHistories(
      { workflowBundle },
      Array.from({ length: n }, (_, k) => ({ workflowId: `replay-${k}`, history })),
    );
    for await (const r of results) if (r.error) throw r.error;
  };
  console.log(`node ${process.version} ${process.execArgv.join(' ')}`);
  await replay(20); // warm: the sandbox's context, the JIT
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await replay(count);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `replay history=${name} n=${count} events=${history.events.length} cpu_ms_per_replay=${(cpuMs / count).toFixed(2)} wall_ms_per_replay=${(wall / count).toFixed(2)}`,
  );
}

main().catch(cliFatal);

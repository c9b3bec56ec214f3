import { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { createTask } from '../api/tasks/create-task.js';
import { createSql } from '../db/sql.js';
import type { UserId } from '../domain/ids.js';
import { cliFatal } from '../platform/lifecycle.js';
import { descendantsRunning, rssMb, withBenchStack, workerEnv } from './bench-stack.js';
import { argValue } from './stats.js';
import { cpuByProcess, describeCpu } from './process-cpu.js';
import { armingBreakdown } from './arming-breakdown.js';
import { WORKER_TASK_QUEUE } from '../workflows/task-queue.js';

// Many open reminders at once (issue 4's second benchmark; not a test):
//   [WORKER_ENV='WORKFLOW_CACHE_SIZE=500 …'] npm run bench:reminders-open -- --count 100000
//     [--concurrency 16] [--breakdown-sample 200] [--temporal postgres]
// On a throwaway stack (Temporal dev server with SQLite on disk, or the Temporal server on the
// stack's PostgreSQL with --temporal postgres; PostgreSQL fsync off):
// creates `count` tasks, each with one reminder 2–9 days ahead, through the api's own create
// command in this process (the HTTP path is bench:api's subject), so the outbox relay arms one
// reminder workflow per task, which then sleeps. Measures
// - start_per_s: workflows per second from the first create until every workflow has run its
//   first task (its timer set) — creates, relay, Temporal and worker together;
// - worker_rss_mb: the worker process's peak resident set while arming and holding them all;
// - restart_ready_s: the worker killed (SIGKILL) and started again: seconds from the new
//   process's start until it has delivered a probe reminder that came due while it was down.
// Also prints the relay's batches and a per-stage breakdown of arming (arming-breakdown.ts).
// Last line: reminders_open n=<n> worker_rss_mb=<n> start_per_s=<n> restart_ready_s=<n>

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const count = argValue('count', 100_000);
  const concurrency = argValue('concurrency', 16);
  const breakdownSample = argValue('breakdown-sample', 200);
  await withBenchStack(
    async ({ stack, sql }) => {
      const [workerPid] = descendantsRunning('worker/main.ts');
      if (!workerPid) throw new Error('no worker process found below this one');
      let peakRss = rssMb(workerPid);
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(workerPid))), 500);

      const db = createSql(stack.databaseUrl, { applicationName: 'bench', max: concurrency });
      const armed = async () => {
        const [row] = await sql<[{ n: string }]>`
          SELECT count(*) AS n FROM outbox_deliveries
          WHERE destination = 'signal' AND delivered_at IS NOT NULL`;
        return Number(row.n);
      };
      try {
        const t0 = Date.now();
        const cpu0 = cpuByProcess();
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < count) {
              const i = next++;
              const at = new Date(t0 + 2 * DAY + Math.floor((i * 7 * DAY) / count));
              await createTask(
                { sql: db, userId: `bench-open-${i % 1000}` as UserId },
                { title: `open reminder ${i}`, reminders: [{ offsetMs: null, at }] },
              );
              if (i % 10_000 === 0 && i) console.log(`  ${i} created, ${await armed()} armed`);
            }
          }),
        );
        console.log(`created ${count} tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        for (let n = await armed(); n < count; n = await armed()) {
          console.log(`  ${n} / ${count} armed, worker rss ${rssMb(workerPid)} MB`);
          await sleep(5_000);
        }
        // Started is not yet sleeping: each workflow's first task (which sets its timer) waits
        // on the task queue until the worker runs it. Wait for that backlog to drain.
        const temporal = await Connection.connect({ address: `127.0.0.1:${stack.ports.temporal}` });
        const backlog = async () => {
          const res = await temporal.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: WORKER_TASK_QUEUE },
            taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
            reportStats: true,
          });
          return Number(res.stats?.approximateBacklogCount ?? 0);
        };
        for (let b = await backlog(); b > 0; b = await backlog()) {
          console.log(`  ${b} workflow tasks still queued, worker rss ${rssMb(workerPid)} MB`);
          await sleep(5_000);
        }
        const startPerS = count / ((Date.now() - t0) / 1000);
        // Who paid for arming (the creates run in this process: "bench"), per workflow armed.
        const cpu1 = cpuByProcess();
        console.log(describeCpu(cpu0, cpu1, (Date.now() - t0) / 1000));
        const perArm = (label: string) =>
          ((1000 * ((cpu1.get(label) ?? 0) - (cpu0.get(label) ?? 0))) / count).toFixed(1);
        console.log(
          `cpu_ms_per_arm worker=${perArm('worker')} temporal=${perArm('temporal')} postgres=${perArm('postgres')} bench=${perArm('bench')}`,
        );
        const client = new Client({ connection: temporal, namespace: 'default' });
        for (const line of await armingBreakdown(sql, client, breakdownSample)) console.log(line);
        await temporal.close();
        await sleep(10_000);
        let restRss = 0;
        for (let i = 0; i < 10; i++, await sleep(1_000))
          restRss = Math.max(restRss, rssMb(workerPid));
        console.log(
          `all ${count} armed and sleeping: start_per_s=${startPerS.toFixed(0)}, worker rss at rest ${restRss} MB, peak ${peakRss} MB`,
        );
        clearInterval(sampler);

        // Restart: a probe reminder comes due while the worker is down.
        const env = Object.fromEntries(
          readFileSync(`/proc/${workerPid}/environ`, 'utf8')
            .split('\0')
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        );
        const argv = readFileSync(`/proc/${workerPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const probe = await createTask(
          { sql: db, userId: 'bench-open-probe' as UserId },
          { title: 'probe', reminders: [{ offsetMs: null, at: new Date(Date.now() + 8_000) }] },
        );
        while ((await armed()) < count + 1) await sleep(200);
        process.kill(workerPid, 'SIGKILL');
        await sleep(10_000);
        const started = Date.now();
        // Through the stack's process group, so that stopping the stack (also on Ctrl-C) stops it.
        const worker = stack.ctx.group.start({
          name: 'worker-restarted',
          command: argv[0]!,
          args: argv.slice(1),
          env,
        });
        try {
          const deadline = started + 300_000;
          for (;;) {
            const [row] = await sql<[{ n: string }]>`
              SELECT count(*) AS n FROM notifications WHERE task_id = ${probe.id}`;
            if (Number(row.n) > 0) break;
            if (Date.now() > deadline)
              throw new Error('the restarted worker never fired the probe');
            await sleep(100);
          }
          const restartReadyS = (Date.now() - started) / 1000;
          console.log(`restarted worker rss ${rssMb(worker.child.pid!)} MB`);
          console.log(
            `reminders_open n=${count} worker_rss_mb=${peakRss} start_per_s=${Math.round(startPerS)} restart_ready_s=${restartReadyS.toFixed(1)}`,
          );
        } finally {
          await stack.ctx.group.stop(worker);
        }
      } finally {
        clearInterval(sampler);
        await db.end({ timeout: 2 });
      }
    },
    {
      // The benchmark kills the stack's worker on purpose.
      onCrash: () => {},
      // 100,000 open workflows do not fit the in-memory database in 24 GiB (measured).
      temporalOnDisk: true,
      // e.g. WORKER_ENV='WORKFLOW_CACHE_SIZE=200 NODE_OPTIONS=--max-old-space-size=256'
      serviceEnv: { worker: workerEnv() },
    },
  );
}

main().catch(cliFatal);

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSql } from '../db/sql.js';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import {
  databaseUrl,
  serviceEnv,
  startDatabase,
  startService,
  type ComponentContext,
} from '../stack/components.js';
import { stackPaths } from '../stack/paths.js';
import { testPorts } from '../stack/ports.js';
import { createProcessGroup } from '../stack/processes.js';
import { withStopOnSignal } from '../stack/stop-on-signal.js';
import { cpuByProcess, describeCpu } from './process-cpu.js';
import { seedTasks, TAGS, WORDS } from './seed-tasks.js';
import { argText, argValue, quantile, sortNumbers } from './stats.js';
import { sampleWaits } from './wait-sampler.js';

// The api under load (issue 3's benchmark; a benchmark, not a test):
//   npm run bench:api -- [--tasks 1000000] [--user-tasks 100000] [--seconds 30] [--connections 64]
//                        [--writers 1] [--searches 400] [--cpu-prof DIR]
// Starts its own PostgreSQL (durable settings: fsync on) and api process on free ports, seeds
// the tasks, then measures createTask at N concurrent connections (all for one user, or spread
// over --writers users) and filtered + full-text search queries for the user with the most
// tasks. Beside the latencies it prints the CPU of each process and what the api's database
// sessions were doing (running, waiting for a lock, for the WAL flush, for the api). With
// --cpu-prof the api runs under V8's profiler and leaves a .cpuprofile in DIR. Last line:
//   api creates_per_s=<n> create_p99_ms=<n> search_p95_ms=<n> fulltext_p95_ms=<n> filter_p95_ms=<n> tasks=<n>

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id version } }`;
const SEARCH = `query($filter: TaskFilter, $search: String, $first: Int) {
  tasks(filter: $filter, search: $search, first: $first) {
    totalCount edges { cursor node { id title priority tags dueAt status } } pageInfo { hasNextPage endCursor } } }`;

async function post(
  url: string,
  token: string,
  query: string,
  variables: unknown,
): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (!res.ok || body.errors)
    throw new Error(`request failed: ${res.status} ${JSON.stringify(body.errors)}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const total = argValue('tasks', 1_000_000);
  const userTasks = argValue('user-tasks', 100_000);
  const seconds = argValue('seconds', 30);
  const connections = argValue('connections', 64);
  const writers = argValue('writers', 1);
  const searches = argValue('searches', 400);
  const cpuProfDir = argText('cpu-prof');
  const log = (s: string) => console.log(s);

  const state = mkdtempSync(join(tmpdir(), 'tickler-bench-'));
  chmodSync(state, 0o755);
  const paths = stackPaths(state);
  const ports = await testPorts();
  let failure: string | undefined;
  const group = createProcessGroup(
    paths.logs,
    (m, how) => (failure ??= `${m.name} exited (${how})`),
  );
  const ctx: ComponentContext = {
    paths,
    ports,
    group,
    ephemeral: false,
    log,
    failure: () => failure,
    // Node 20 refuses --cpu-prof in NODE_OPTIONS; the profile is written when the api exits.
    ...(cpuProfDir ? { nodeArgs: { api: ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] } } : {}),
  };
  const jwtSecret = randomBytes(32).toString('base64url');
  const stoppable = {
    async stop() {
      await group.stopAll();
      rmSync(state, { recursive: true, force: true });
    },
    killNow: () => group.killAll(),
  };
  // The processes start inside `fn`: the group stops whatever of them is running.
  await withStopOnSignal(
    async () => stoppable,
    async () => {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(paths.logs, { recursive: true });
      log(
        `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); PostgreSQL 15, fsync on, data in ${state}`,
      );
      await startDatabase(ctx);
      const t0 = Date.now();
      await seedTasks(databaseUrl(ctx), total, userTasks, log);
      log(`seeded ${total} tasks in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const apiEnv = {
        // No sidecar here: the api reads its secrets from its environment.
        ...serviceEnv(ctx, 'api', { jwtSecret, secretsFrom: 'env' }),
        LOG_LEVEL: 'warn',
        // 30 s of creates by one writer passes the default open-task quota (10,000).
        QUOTA_OPEN_TASKS: String(1_000_000),
      };
      await startService(ctx, 'api', apiEnv);
      const observer = createSql(databaseUrl(ctx), { applicationName: 'bench-observer', max: 1 });
      const url = `http://127.0.0.1:${ports.api}/graphql`;
      const token = await mintHs256Token(jwtSecret, 'bench-user-0');
      const writerTokens = await Promise.all(
        Array.from({ length: writers }, (_, w) => mintHs256Token(jwtSecret, `bench-writer-${w}`)),
      );

      // Creates: `connections` loops, each one request at a time, for `seconds`.
      const latencies: number[] = [];
      const deadline = performance.now() + seconds * 1000;
      let n = 0;
      const started = performance.now();
      let cpu = cpuByProcess();
      let waits = sampleWaits(observer, 'tickler-api');
      await Promise.all(
        Array.from({ length: connections }, async (_, c) => {
          const writer = writerTokens[c % writers]!;
          while (performance.now() < deadline) {
            const i = n++;
            latencies.push(
              await post(url, writer, CREATE, {
                input: {
                  title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} #${i}`,
                  priority: 'MEDIUM',
                  tags: [TAGS[i % TAGS.length]],
                  dueAt: new Date(Date.now() + 86_400_000).toISOString(),
                },
              }),
            );
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const creates = sortNumbers(latencies);
      log(
        `creates: ${creates.length} in ${elapsed.toFixed(1)} s at ${connections} connections for ${writers} user(s); p50 ${quantile(creates, 0.5).toFixed(1)} ms, p99 ${quantile(creates, 0.99).toFixed(1)} ms`,
      );
      log(`  ${describeCpu(cpu, cpuByProcess(), elapsed)}`);
      log(`  api sessions: ${await waits.stop()}`);

      // Searches: the measured user's 100k tasks, 8 at a time; half full-text, half filter-only.
      const searchTimes: { kind: 'full-text' | 'filter'; ms: number }[] = [];
      let s = 0;
      const searchStarted = performance.now();
      cpu = cpuByProcess();
      waits = sampleWaits(observer, 'tickler-api');
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (s < searches) {
            const i = s++;
            const vars =
              i % 2 === 0
                ? {
                    search: WORDS[(i * 11) % WORDS.length]!.slice(0, 4),
                    filter: { status: 'OPEN' },
                    first: 50,
                  }
                : {
                    filter: {
                      priorities: ['HIGH', 'URGENT'],
                      tags: { any: [TAGS[i % TAGS.length]] },
                      overdue: i % 4 === 1,
                    },
                    first: 50,
                  };
            searchTimes.push({
              kind: i % 2 === 0 ? 'full-text' : 'filter',
              ms: await post(url, token, SEARCH, vars),
            });
          }
        }),
      );
      const searchElapsed = (performance.now() - searchStarted) / 1000;
      const searched = sortNumbers(searchTimes.map((s) => s.ms));
      const p95 = { 'full-text': NaN, filter: NaN };
      for (const kind of ['full-text', 'filter'] as const) {
        const xs = sortNumbers(searchTimes.filter((s) => s.kind === kind).map((s) => s.ms));
        p95[kind] = quantile(xs, 0.95);
        log(
          `  ${kind}: ${xs.length}; p50 ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${p95[kind].toFixed(1)} ms`,
        );
      }
      log(
        `searches: ${searched.length} in ${searchElapsed.toFixed(1)} s; p50 ${quantile(searched, 0.5).toFixed(1)} ms, p95 ${quantile(searched, 0.95).toFixed(1)} ms`,
      );
      log(`  ${describeCpu(cpu, cpuByProcess(), searchElapsed)}`);
      log(`  api sessions: ${await waits.stop()}`);
      await observer.end({ timeout: 1 });
      console.log(
        `api creates_per_s=${Math.round(creates.length / elapsed)} create_p99_ms=${Math.round(quantile(creates, 0.99))} search_p95_ms=${Math.round(quantile(searched, 0.95))} fulltext_p95_ms=${Math.round(p95['full-text'])} filter_p95_ms=${Math.round(p95.filter)} tasks=${total + creates.length}`,
      );
    },
  );
}

main().catch(cliFatal);

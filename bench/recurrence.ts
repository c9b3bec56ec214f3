import { Client, Connection } from '@temporalio/client';
import type postgres from 'postgres';
import { createSeries } from '../api/series/create-series.js';
import { createSql } from '../db/sql.js';
import type { UserId } from '../domain/ids.js';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { descendantsRunning, rssMb, withBenchStack } from './bench-stack.js';
import { argValue, quantile, sortNumbers } from './stats.js';
import { completionBreakdown, type Completion } from './completion-breakdown.js';

// Recurring series (issue 5's benchmark; not a test):
//   npm run bench:recurrence -- --count 500 [--concurrency 8] [--hold 0] [--breakdown-sample 200]
//     [--temporal postgres]
// On a throwaway stack (Temporal dev server with in-memory SQLite, or the Temporal server on the
// stack's PostgreSQL with --temporal postgres; PostgreSQL fsync off):
// creates `count` daily series through the api, waits for each one's first occurrence, then
// completes them through the api, `concurrency` at a time, and measures for each the time from
// the completeTask response to the next occurrence being visible through the `tasks` query
// (polled every 5 ms). duplicates = occurrences beyond the two each series should have.
// Then a per-stage breakdown of up to --breakdown-sample completions (completion-breakdown.ts).
// With --hold M it then creates M more series (through the create command, in this process)
// and reports how long the worker took to arm them and its resident memory holding them.
// Last line: recurrence n=<n> p50_ms=<n> p99_ms=<n> duplicates=<n>

const CREATE = `mutation($input: CreateSeriesInput!) { createSeries(input: $input) { id } }`;
const OCCURRENCES = `query($id: ID!) { tasks(filter: { seriesId: $id }) { edges { node { id status } } } }`;
const COMPLETE = `mutation($id: ID!) { completeTask(id: $id) { id } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const count = argValue('count', 500);
  const concurrency = argValue('concurrency', 8);
  const hold = argValue('hold', 0);
  const breakdownSample = argValue('breakdown-sample', 200);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await withBenchStack(async ({ stack, sql, jwtSecret }) => {
    const url = `http://127.0.0.1:${stack.ports.api}/graphql`;
    const token = await mintHs256Token(jwtSecret, 'bench-recurrence');
    const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const occurrences = async (id: string) =>
      (
        await gql<{ tasks: { edges: { node: { id: string; status: string } }[] } }>(OCCURRENCES, {
          id,
        })
      ).tasks.edges.map((e) => e.node);

    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const input = {
        title: `bench series ${i}`,
        rrule: 'FREQ=DAILY',
        dtstart: `${tomorrow}T09:00:00`,
        timeZone: 'UTC',
      };
      ids.push((await gql<{ createSeries: { id: string } }>(CREATE, { input })).createSeries.id);
    }
    const firsts = new Map<string, string>();
    for (const id of ids) {
      for (let tries = 0; !firsts.has(id); tries++) {
        const [first] = await occurrences(id);
        if (first) firsts.set(id, first.id);
        else if (tries > 6000) throw new Error(`series ${id} never got its first occurrence`);
        else await sleep(10);
      }
    }
    console.log(`created ${count} series, each with its first occurrence`);

    const latencies: number[] = [];
    const completions: Completion[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const id = ids[next++]!;
          await gql(COMPLETE, { id: firsts.get(id)! });
          const t0 = performance.now();
          const responded = Date.now();
          for (let tries = 0; (await occurrences(id)).length < 2; tries++) {
            if (tries > 20_000) throw new Error(`series ${id} never got its next occurrence`);
            await sleep(5);
          }
          latencies.push(performance.now() - t0);
          completions.push({
            seriesId: id,
            taskId: firsts.get(id)!,
            responded,
            visible: Date.now(),
          });
        }
      }),
    );
    await sleep(3_000);
    const [{ extra }] = await sql<[{ extra: string }]>`
      SELECT coalesce(sum(n - 2), 0) AS extra
      FROM (SELECT count(*) AS n FROM tasks WHERE series_id IS NOT NULL GROUP BY series_id) c
      WHERE n > 2`;
    const temporal = await Connection.connect({ address: `127.0.0.1:${stack.ports.temporal}` });
    try {
      const client = new Client({ connection: temporal, namespace: 'default' });
      for (const l of await completionBreakdown(sql, client, completions, breakdownSample))
        console.log(l);
    } finally {
      await temporal.close();
    }
    const sorted = sortNumbers(latencies);
    const line = `recurrence n=${count} p50_ms=${Math.round(quantile(sorted, 0.5))} p99_ms=${Math.round(quantile(sorted, 0.99))} duplicates=${Number(extra)}`;

    if (hold > 0) await holdSeries(stack.databaseUrl, sql, hold, tomorrow);
    console.log(line);
  });
}

/** Creates `hold` series more and reports the worker's arming rate and memory holding them. */
async function holdSeries(
  databaseUrl: string,
  sql: postgres.Sql,
  hold: number,
  tomorrow: string,
): Promise<void> {
  const [workerPid] = descendantsRunning('worker/main.ts');
  if (!workerPid) throw new Error('no worker process found below this one');
  let peak = rssMb(workerPid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(workerPid))), 500);
  const db = createSql(databaseUrl, { applicationName: 'bench', max: 8 });
  const [{ before }] = await sql<[{ before: string }]>`
    SELECT count(*) AS before FROM tasks WHERE series_id IS NOT NULL`;
  const t0 = Date.now();
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < hold) {
          const i = next++;
          await createSeries(
            { sql: db, userId: `bench-hold-${i % 100}` as UserId },
            {
              title: `held series ${i}`,
              rrule: 'FREQ=WEEKLY',
              dtstart: `${tomorrow}T09:00:00`,
              timeZone: 'UTC',
            },
          );
        }
      }),
    );
    // Each series is armed when its workflow has created its first occurrence.
    for (;;) {
      const [{ n }] = await sql<[{ n: string }]>`
        SELECT count(*) AS n FROM tasks WHERE series_id IS NOT NULL`;
      const armed = Number(n) - Number(before);
      console.log(`  ${armed} / ${hold} series armed, worker rss ${rssMb(workerPid)} MB`);
      if (armed >= hold) break;
      await sleep(5_000);
    }
    const seconds = (Date.now() - t0) / 1000;
    await sleep(20_000);
    console.log(
      `series_held n=${hold} armed_per_s=${(hold / seconds).toFixed(0)} worker_rss_mb=${peak} rest_rss_mb=${rssMb(workerPid)}`,
    );
  } finally {
    clearInterval(sampler);
    await db.end({ timeout: 2 });
  }
}

main().catch(cliFatal);

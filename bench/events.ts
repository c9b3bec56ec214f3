import { loadavg } from 'node:os';
import { createTask } from '../api/tasks/create-task.js';
import { createSql } from '../db/sql.js';
import type { UserId } from '../domain/ids.js';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { withBenchStack } from './bench-stack.js';
import { describeOpenLoop, runOpenLoop, type OpenLoopResult } from './open-loop.js';
import { cpuByProcess, describeCpu } from './process-cpu.js';
import { argString, argValue, quantile, sortNumbers } from './stats.js';

// Events into the audit log (issue 6's second benchmark; not a test):
//   npm run bench:events -- [--seconds 60] [--start 200] [--factor 1.5] [--max-rate 4000]
//     [--max-lag-ms 2000] [--via api|direct] [--users 200] [--max-in-flight 512]
// On a throwaway stack: a stepped ramp of createTask mutations, each step `seconds` long at a
// fixed rate, open loop (by the clock), round-robin over `users` users; --via api sends them
// to the api's GraphQL endpoint, --via direct runs the api's create command in this process
// (same transaction, no HTTP/GraphQL), to see past the api when the api is what saturates.
// Every event goes outbox → relay → Dapr → Kafka → Dapr → audit-service → audit.events.
// This script reads the tables directly (the services never read each other's):
// - lag of an event = audit.events.recorded_at − occurred_at (the event's time, taken in the
//   mutation's transaction); sampled every 5 s: events committed but not yet in audit.events,
//   and how many of those the relay has not yet published.
// A step is sustained when the mutations went out at ≥ 95% of its rate without errors and the
// p99 lag of the events of its last 10 s stays within --max-lag-ms (an overloaded pipeline's
// lag grows for as long as the step lasts). The ramp multiplies the rate by --factor until a
// step is not sustained, then halves the gap between the last good (or 0) and the failed rate twice.
// After the ramp it waits until audit.events stops growing; lost = outbox events not in it.
// Last line: events per_s=<n> max_lag_ms=<n> lost=<n>
//   per_s: mutations per second of the highest sustained step (0 if none was);
//   max_lag_ms: the largest lag of any event of that step.

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;
const TAIL_S = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface StepResult {
  rate: number;
  driven: OpenLoopResult;
  achieved: number;
  tailP99: number;
  maxLag: number;
  sustained: boolean;
}

async function main(): Promise<void> {
  const seconds = argValue('seconds', 60);
  const start = argValue('start', 200);
  const factor = argValue('factor', 1.5);
  const maxRate = argValue('max-rate', 4000);
  const maxLagMs = argValue('max-lag-ms', 2000);
  const users = argValue('users', 200);
  const maxInFlight = argValue('max-in-flight', 512);
  const via = argString('via', ['api', 'direct'] as const, 'api');
  console.log(
    `events: ramp from ${start}/s ×${factor}, ${seconds} s per step, via ${via}; load average ${load()}`,
  );

  await withBenchStack(async ({ stack, sql, jwtSecret }) => {
    const apiUrl = `http://127.0.0.1:${stack.ports.api}/graphql`;
    const userIds = Array.from({ length: users }, (_, u) => `bench-events-${u}`);
    const tokens = await Promise.all(userIds.map((u) => mintHs256Token(jwtSecret, u, 4 * 3600)));
    // The direct path's pool: as many connections as the api's own (db/sql.ts default).
    const db = createSql(stack.databaseUrl, { applicationName: 'bench-events', max: 10 });
    const send = async (i: number, title: string): Promise<void> => {
      const u = i % users;
      if (via === 'direct') {
        await createTask({ sql: db, userId: userIds[u] as UserId }, { title });
        return;
      }
      const res = await fetch(apiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[u]}` },
        body: JSON.stringify({ query: CREATE, variables: { input: { title } } }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (!res.ok || body.errors) throw new Error(`${res.status} ${JSON.stringify(body.errors)}`);
    };
    // The Dapr sidecars' own histograms: how long the relay's publish calls took (worker's
    // sidecar → Kafka) and how long the audit service took per delivered message.
    const hopLatencies = async () => {
      const read = async (app: 'worker' | 'audit-service', metric: string) => {
        const text = await fetch(`http://127.0.0.1:${stack.ports.dapr[app].metrics}/metrics`)
          .then((r) => (r.ok ? r.text() : ''))
          .catch(() => '');
        let sum = 0;
        let count = 0;
        for (const line of text.split('\n')) {
          const m = /^(\w+)_(sum|count)\{[^}]*\} (\S+)$/.exec(line);
          if (m?.[1] !== metric) continue;
          if (m[2] === 'sum') sum += Number(m[3]);
          else count += Number(m[3]);
        }
        return { sum, count };
      };
      return {
        publish: await read('worker', 'dapr_component_pubsub_egress_latencies'),
        deliver: await read('audit-service', 'dapr_component_pubsub_ingress_latencies'),
      };
    };
    type Hops = Awaited<ReturnType<typeof hopLatencies>>;
    const describeHops = (a: Hops, b: Hops): string => {
      const mean = (k: keyof Hops) => {
        const n = b[k].count - a[k].count;
        return n > 0 ? `${((b[k].sum - a[k].sum) / n).toFixed(1)} ms over ${n}` : 'n/a';
      };
      return `dapr: publish (relay → Kafka) mean ${mean('publish')}; delivery to the audit service mean ${mean('deliver')}`;
    };
    // The relay's batches, seen from the table: a batch marks its rows delivered in one
    // transaction, with delivered_at = now() (the transaction's start), so rows sharing a
    // delivered_at are one batch. Their size and spacing show how fast the relay turns over.
    const relayBatches = async (lastS: number): Promise<string> => {
      const rows = await sql<
        { destination: string; batches: string; rows: string; avgRows: string; gapMs: string }[]
      >`
        WITH b AS (
          SELECT destination, delivered_at, count(*) AS n FROM outbox_deliveries
          WHERE delivered_at > now() - ${lastS}::float8 * interval '1 second'
          GROUP BY 1, 2)
        SELECT destination, count(*) AS batches, sum(n) AS rows, round(avg(n), 1) AS "avgRows",
               round(extract(epoch FROM (max(delivered_at) - min(delivered_at)) / greatest(count(*) - 1, 1)) * 1000) AS "gapMs"
        FROM b GROUP BY 1 ORDER BY 1`;
      return `relay batches in the last ${lastS.toFixed(0)} s: ${rows
        .map(
          (r) =>
            `${r.destination} ${r.batches} batches, ${r.rows} rows (${r.avgRows} a batch, one every ${r.gapMs} ms)`,
        )
        .join('; ')}`;
    };
    const counts = async () => {
      const [row] = await sql<[{ committed: string; audited: string; unpublished: string }]>`
        SELECT (SELECT count(*) FROM outbox) AS committed,
               (SELECT count(*) FROM audit.events) AS audited,
               (SELECT count(*) FROM outbox_deliveries
                WHERE destination = 'publish' AND delivered_at IS NULL) AS unpublished`;
      return {
        committed: Number(row.committed),
        audited: Number(row.audited),
        unpublished: Number(row.unpublished),
      };
    };
    /** Waits until audit.events has every committed event, or stops growing for `idleS`. */
    const drain = async (idleS: number, capS: number): Promise<number> => {
      const until = Date.now() + capS * 1000;
      let last = -1;
      let lastMoved = Date.now();
      for (;;) {
        const c = await counts();
        const backlog = c.committed - c.audited;
        if (backlog === 0) return 0;
        if (c.audited !== last) [last, lastMoved] = [c.audited, Date.now()];
        if (Date.now() - lastMoved > idleS * 1000 || Date.now() > until) return backlog;
        await sleep(1000);
      }
    };

    // Warm-up: the consumer groups of a fresh stack take a while to join; not measured.
    await runOpenLoop({ rate: 50, seconds: 2, maxInFlight, send: (i) => send(i, 'warm-up') });
    const warmBacklog = await drain(60, 120);
    if (warmBacklog > 0) throw new Error(`warm-up events never reached the audit log`);

    const steps: StepResult[] = [];
    const runStep = async (rate: number): Promise<StepResult> => {
      const tag = `events r${rate}`;
      console.log(`step ${rate}/s:`);
      const cpu0 = cpuByProcess();
      const hops0 = await hopLatencies();
      const t0 = performance.now();
      const sampler = setInterval(() => {
        counts()
          .then((c) =>
            console.log(
              `  t=${((performance.now() - t0) / 1000).toFixed(0)}s committed ${c.committed}, not yet audited ${c.committed - c.audited} (not yet published ${c.unpublished})`,
            ),
          )
          .catch(() => {});
      }, 5000);
      const driven = await runOpenLoop({
        rate,
        seconds,
        maxInFlight,
        send: (i) => send(i, `${tag} ${i}`),
      }).finally(() => clearInterval(sampler));
      const loadS = (performance.now() - t0) / 1000;
      console.log(`  mutations: ${describeOpenLoop(driven)}`);
      console.log(`  ${describeCpu(cpu0, cpuByProcess(), loadS)}; load average ${load()}`);
      console.log(`  ${describeHops(hops0, await hopLatencies())}`);
      console.log(`  ${await relayBatches(loadS)}`);
      const left = await drain(30, 600);
      console.log(
        `  drained ${((performance.now() - t0) / 1000 - loadS).toFixed(0)} s after the load${left ? `; ${left} events still not audited` : ''}`,
      );
      const rows = await sql<{ lagMs: number; atS: number }[]>`
        SELECT extract(epoch FROM a.recorded_at - a.occurred_at) * 1000 AS "lagMs",
               extract(epoch FROM a.occurred_at) AS "atS"
        FROM audit.events a
        WHERE a.type = 'task.created' AND a.event->'data'->'task'->>'title' LIKE ${`${tag} %`}`;
      const lags = rows.map((r) => ({ lag: Number(r.lagMs), at: Number(r.atS) }));
      const lastAt = lags.reduce((m, l) => Math.max(m, l.at), 0);
      const all = sortNumbers(lags.map((l) => l.lag));
      const tail = sortNumbers(lags.filter((l) => l.at > lastAt - TAIL_S).map((l) => l.lag));
      const achieved = driven.ok / driven.elapsedS;
      const step: StepResult = {
        rate,
        driven,
        achieved,
        tailP99: quantile(tail, 0.99),
        maxLag: all.at(-1) ?? NaN,
        sustained:
          driven.ok >= 0.95 * driven.due &&
          driven.failed === 0 &&
          left === 0 &&
          quantile(tail, 0.99) <= maxLagMs,
      };
      console.log(
        `  lag over ${all.length} events: p50 ${quantile(all, 0.5).toFixed(0)} ms, p99 ${quantile(all, 0.99).toFixed(0)} ms, max ${step.maxLag.toFixed(0)} ms; last ${TAIL_S} s p99 ${step.tailP99.toFixed(0)} ms → ${step.sustained ? 'sustained' : 'NOT sustained'}${driven.ok < 0.95 * driven.due ? ` (mutations fell short: ${achieved.toFixed(0)}/s of ${rate}/s)` : ''}`,
      );
      steps.push(step);
      return step;
    };

    let good: StepResult | undefined;
    let bad: StepResult | undefined;
    for (let rate = start; rate <= maxRate; rate = Math.round(rate * factor)) {
      const s = await runStep(rate);
      if (!s.sustained) {
        bad = s;
        break;
      }
      good = s;
    }
    // Two halvings of the gap between the last sustained rate (or zero) and the failed one.
    for (let i = 0; i < 2 && bad && bad.rate - (good?.rate ?? 0) > bad.rate / 10; i++) {
      const s = await runStep(Math.round(((good?.rate ?? 0) + bad.rate) / 2));
      if (s.sustained) good = s;
      else bad = s;
    }

    const left = await drain(60, 900);
    const [{ lost }] = await sql<[{ lost: string }]>`
      SELECT count(*) AS lost FROM outbox o
      WHERE NOT EXISTS (SELECT 1 FROM audit.events a WHERE a.event_id = o.id)`;
    const [{ total }] = await sql<[{ total: string }]>`SELECT count(*) AS total FROM outbox`;
    await db.end({ timeout: 2 });
    console.log(
      `steps: ${steps.map((s) => `${s.rate}/s ${s.sustained ? 'ok' : 'no'} (sent ${s.achieved.toFixed(0)}/s, tail p99 ${s.tailP99.toFixed(0)} ms)`).join('; ')}`,
    );
    console.log(
      `${total} events committed in all, ${Number(total) - Number(lost)} in audit.events${left ? ` (audit.events stopped growing with ${left} missing)` : ''}; load average ${load()}`,
    );
    console.log(
      `events per_s=${good ? Math.round(good.achieved) : 0} max_lag_ms=${good ? Math.round(good.maxLag) : 0} lost=${lost}`,
    );
  });
}

main().catch(cliFatal);

import { Client, Connection } from '@temporalio/client';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { withBenchStack, workerEnv } from './bench-stack.js';
import { completionRate } from './completion-rate.js';
import { fireBreakdown } from './fire-breakdown.js';
import { cpuByProcess, describeCpu } from './process-cpu.js';
import { argValue, quantile, sortNumbers } from './stats.js';

// Reminder lateness (issue 4's benchmark; not a test):
//   npm run bench:reminders -- --count 1000 [--window 60] [--lead 30] [--temporal postgres]
// Starts the whole stack (throwaway state: Temporal dev server with in-memory SQLite, or with
// --temporal postgres the Temporal server on the stack's PostgreSQL; PostgreSQL with fsync off), creates `count` tasks through the api, each with one reminder at
// an instant spread evenly over a `window`-second window that opens `lead` seconds after the
// creates begin, then waits for the window to pass and reads what was delivered.
// lateness = notification delivered_at − reminder fire time. Last line:
//   reminders n=<n> p50_ms=<n> p99_ms=<n> max_ms=<n> missed=<n> duplicated=<n>
// Before it: the delivery rate (bench/completion-rate.ts, as bench:ceiling computes its own),
// with --ceiling <bench:ceiling's rate_per_s for the same count and window> as a ratio of it,
// and where the time of a fire goes, stage by stage, over --breakdown-sample (200) fires
// (bench/fire-breakdown.ts).

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;

async function main(): Promise<void> {
  const count = argValue('count', 1000);
  const windowS = argValue('window', 60);
  const lead = argValue('lead', Math.max(30, Math.ceil(count / 100)));
  const ceiling = argValue('ceiling', NaN);
  const breakdownSample = argValue('breakdown-sample', 200);
  const log = (line: string) => console.log(line);
  await withBenchStack(
    async ({ stack, sql, jwtSecret }) => {
      const url = `http://127.0.0.1:${stack.ports.api}/graphql`;
      const users = 50;
      const tokens = await Promise.all(
        Array.from({ length: users }, (_, i) => mintHs256Token(jwtSecret, `bench-rem-${i}`)),
      );
      const opens = Date.now() + lead * 1000;
      const fireAts = Array.from(
        { length: count },
        (_, i) => new Date(opens + Math.floor((i * windowS * 1000) / count)),
      );
      let next = 0;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < count) {
            const i = next++;
            const res = await fetch(url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${tokens[i % users]}`,
              },
              body: JSON.stringify({
                query: CREATE,
                variables: {
                  input: {
                    title: `bench reminder ${i}`,
                    reminders: [{ at: fireAts[i]!.toISOString() }],
                  },
                },
              }),
            });
            const body = (await res.json()) as { errors?: unknown };
            if (body.errors) throw new Error(JSON.stringify(body.errors));
          }
        }),
      );
      log(
        `created ${count} tasks in ${((Date.now() - t0) / 1000).toFixed(1)} s; window opens in ${((opens - Date.now()) / 1000).toFixed(1)} s`,
      );
      if (Date.now() > opens)
        log('warning: the window opened before all tasks were created (raise --lead)');
      // Reminders armed late (their workflow started after they were due) fire without a timer:
      // the breakdown's timer stages leave them out, and the lead should have been longer.
      await new Promise((r) => setTimeout(r, Math.max(0, opens - Date.now())));
      const [{ unarmed }] = await sql<[{ unarmed: string }]>`
        SELECT count(*) AS unarmed FROM outbox_deliveries
        WHERE destination = 'signal' AND delivered_at IS NULL`;
      log(`window open: ${unarmed} events not yet signalled to Temporal (reminders not yet armed)`);
      // What a fire costs each process, from the window's opening until the last delivery (the
      // worker's figure includes its relays: arming done, they publish the reminder.fired events).
      const cpu0 = cpuByProcess();
      const closes = opens + windowS * 1000;
      const settle = 15_000;
      // Past saturation the backlog drains after the window: wait while it still moves, so that
      // slow is reported as late, not as missed.
      let progressAt = Date.now();
      let before = 0;
      while (Date.now() < Math.max(closes, progressAt) + settle) {
        await new Promise((r) => setTimeout(r, 5000));
        const [{ n }] = await sql<[{ n: string }]>`SELECT count(*) AS n FROM notifications`;
        log(`  ${n} / ${count} delivered`);
        if (Number(n) >= count && Date.now() > closes) break;
        if (Number(n) > before) [before, progressAt] = [Number(n), Date.now()];
      }
      const cpu1 = cpuByProcess();
      const cpuSeconds = (Date.now() - opens) / 1000;
      const rows = await sql<{ late: number; reminderId: string; at: number }[]>`
      SELECT extract(epoch FROM delivered_at - fire_at) * 1000 AS late, reminder_id AS "reminderId",
             extract(epoch FROM delivered_at) * 1000 AS at
      FROM notifications`;
      const lateness = sortNumbers(rows.map((r) => Number(r.late)));
      const [{ fired }] = await sql<
        [{ fired: string }]
      >`SELECT count(*) AS fired FROM outbox WHERE event->>'type' = 'reminder.fired'`;
      const distinct = new Set(rows.map((r) => r.reminderId)).size;
      const duplicated = rows.length - distinct + Math.max(0, Number(fired) - distinct);
      const rate = completionRate(
        rows.map((r) => Number(r.at)),
        opens,
      );
      log(
        Number.isFinite(ceiling)
          ? `delivery rate_per_s=${rate.toFixed(1)} ceiling_per_s=${ceiling} ratio=${(rate / ceiling).toFixed(2)}`
          : `delivery rate_per_s=${rate.toFixed(1)} (--ceiling <bench:ceiling's rate_per_s> prints the ratio)`,
      );
      log(describeCpu(cpu0, cpu1, cpuSeconds));
      const perFire = (label: string) =>
        (
          (1000 * ((cpu1.get(label) ?? 0) - (cpu0.get(label) ?? 0))) /
          Math.max(1, distinct)
        ).toFixed(1);
      log(
        `cpu_ms_per_fire worker=${perFire('worker')} temporal=${perFire('temporal')} postgres=${perFire('postgres')}`,
      );
      const temporal = await Connection.connect({
        address: `127.0.0.1:${stack.ports.temporal}`,
      });
      try {
        const client = new Client({ connection: temporal, namespace: 'default' });
        for (const line of await fireBreakdown(sql, client, breakdownSample)) log(line);
      } finally {
        await temporal.close();
      }
      console.log(
        `reminders n=${count} p50_ms=${Math.round(quantile(lateness, 0.5))} p99_ms=${Math.round(quantile(lateness, 0.99))} max_ms=${Math.round(lateness.at(-1) ?? NaN)} missed=${count - distinct} duplicated=${duplicated}`,
      );
    },
    { serviceEnv: { worker: workerEnv() } },
  );
}

main().catch(cliFatal);

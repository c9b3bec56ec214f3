import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { descendantsRunning, rssMb, withBenchStack } from './bench-stack.js';
import { describeOpenLoop, runOpenLoop } from './open-loop.js';
import { cpuByProcess, describeCpu } from './process-cpu.js';
import { argString, argValue, quantile, sortNumbers } from './stats.js';
import { CLIENT_KINDS, openSubscriber, type Subscriber } from './subscribers.js';

// Live fan-out through the sync service (issue 6's first benchmark; not a test):
//   npm run bench:fanout -- --subs 1000 --users 100 --rate 100 [--seconds 60] [--drain 30]
//     [--settle 20] [--client graphql-ws|raw] [--max-in-flight 256] [--connect-concurrency 200]
// On a throwaway stack: opens `subs` WebSocket subscribers (taskEvents, no arguments) spread
// evenly over `users` users on the one sync-service instance, waits until each has received a
// warm-up event (the Kafka consumer groups are up), runs the load unmeasured for `settle`
// seconds, then drives `rate` createTask mutations per second through the api's GraphQL
// endpoint for `seconds`, round-robin over the users, open loop (by the clock; at most
// max-in-flight outstanding, the rest counted as skipped).
// latency = receipt by a subscriber (Date.now() in this process) − the event's `time`, which
// appendEvent takes inside the mutation's transaction just before its commit (same host
// clock): commit-to-receipt plus the few milliseconds the transaction still ran.
// lost = (event, subscriber of its owner) pairs not received `drain` seconds after the load.
// rss_mb = the sync-service process's peak resident set during load and drain. Last line:
//   fanout subs=<n> rate=<n> p50_ms=<n> p99_ms=<n> lost=<n> rss_mb=<n>

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;
const MEASURED_TITLE = 'fanout';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function openFilesLimit(): number {
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return line?.[1] === 'unlimited' ? Infinity : Number(line?.[1] ?? 1024);
}

async function main(): Promise<void> {
  const subs = argValue('subs', 1000);
  const users = argValue('users', 100);
  const rate = argValue('rate', 100);
  const seconds = argValue('seconds', 60);
  const drainS = argValue('drain', 30);
  const settleS = argValue('settle', 20);
  const maxInFlight = argValue('max-in-flight', 256);
  const connectConcurrency = argValue('connect-concurrency', 200);
  const client = argString('client', CLIENT_KINDS, 'graphql-ws');
  if (users > subs) throw new Error('--users may not exceed --subs (every user needs a socket)');
  // This process holds every client socket and the sync service every server socket; both
  // inherit this limit. The api's HTTP connections and the stack's own files need the margin.
  const limit = openFilesLimit();
  if (limit < subs + 2048)
    throw new Error(`ulimit -n is ${limit}; ${subs} sockets need at least ${subs + 2048}`);
  console.log(
    `fanout: ${subs} subscribers (${client}) over ${users} users, ${rate} mutations/s for ${seconds} s; ulimit -n ${limit}; load average ${load()}`,
  );

  await withBenchStack(
    async ({ stack, sql, jwtSecret }) => {
      const [syncPid] = descendantsRunning('sync-service/main.ts');
      if (!syncPid) throw new Error('no sync-service process found below this one');
      const apiUrl = `http://127.0.0.1:${stack.ports.api}/graphql`;
      const syncUrl = `ws://127.0.0.1:${stack.ports.sync}/graphql`;
      const userIds = Array.from({ length: users }, (_, u) => `bench-fanout-${u}`);
      // Hours, not the default one: a long run must not see its sockets' tokens expire.
      const tokens = await Promise.all(userIds.map((u) => mintHs256Token(jwtSecret, u, 4 * 3600)));
      const rssIdle = rssMb(syncPid);

      // Subscriber j belongs to user j mod users: the same number (±1) on every user.
      const t0 = Date.now();
      const subscribers: Subscriber[] = new Array<Subscriber>(subs);
      const ownerOf = (j: number) => j % users;
      let nextSub = 0;
      await Promise.all(
        Array.from({ length: Math.min(connectConcurrency, subs) }, async () => {
          for (let j = nextSub++; j < subs; j = nextSub++) {
            subscribers[j] = await openSubscriber(client, syncUrl, tokens[ownerOf(j)]!);
            if ((j + 1) % 2000 === 0) console.log(`  ${j + 1} / ${subs} subscribed`);
          }
        }),
      );
      const bySubscriberOf = new Map<string, Subscriber[]>(userIds.map((u) => [u, []]));
      subscribers.forEach((s, j) => bySubscriberOf.get(userIds[ownerOf(j)]!)!.push(s));
      console.log(
        `${subs} sockets subscribed in ${((Date.now() - t0) / 1000).toFixed(1)} s; sync-service rss ${rssIdle} MB before, ${rssMb(syncPid)} MB now; this process ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
      );

      const responded = new Map<string, number>();
      const mutate = (u: number, title: string) => async () => {
        const res = await fetch(apiUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[u]}` },
          body: JSON.stringify({ query: CREATE, variables: { input: { title } } }),
        });
        const body = (await res.json()) as {
          data?: { createTask: { id: string } };
          errors?: unknown;
        };
        if (!res.ok || body.errors) throw new Error(`${res.status} ${JSON.stringify(body.errors)}`);
        responded.set(body.data!.createTask.id, Date.now());
      };

      // Warm-up: one event per user, until every socket has one. The sync service's Kafka
      // consumer group is new, and a subscription is live only once the server has processed
      // its subscribe message, which it does not acknowledge. Every user needs its event, so
      // these go closed loop (a few at a time), never skipped. The group may join Kafka after
      // the stack reports ready and starts at the newest offset: an event published before
      // that never reaches the service, so a user whose sockets are still cold gets another
      // one every 5 s.
      let nextUser = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let u = nextUser++; u < users; u = nextUser++) await mutate(u, 'warm-up')();
        }),
      );
      const warmDeadline = Date.now() + 120_000;
      let resendAt = Date.now() + 5_000;
      for (;;) {
        const cold = subscribers.filter((s) => s.received.size === 0).length;
        if (cold === 0) break;
        if (Date.now() > resendAt) {
          resendAt = Date.now() + 5_000;
          const coldUsers = new Set(
            subscribers.flatMap((s, j) => (s.received.size === 0 ? [ownerOf(j)] : [])),
          );
          for (const u of coldUsers) await mutate(u, 'warm-up again')();
        }
        if (Date.now() > warmDeadline) {
          const failed = subscribers.filter((s) => s.failure);
          throw new Error(
            `${cold} subscribers never received a warm-up event; ${failed.length} failed${failed[0] ? ` (first: ${failed[0].failure})` : ''}`,
          );
        }
        await sleep(250);
      }
      console.log(
        `warm-up: every socket has an event, ${((Date.now() - t0) / 1000).toFixed(1)} s after the first connect`,
      );
      // Then the same load, unmeasured, for --settle seconds: a new subscription still reads the
      // audit log a few times after catching up, and the processes' code is not yet optimised;
      // the measured window should see the fan-out running steadily. --settle 0 measures it all.
      if (settleS > 0) {
        const settle = await runOpenLoop({
          rate,
          seconds: settleS,
          maxInFlight,
          send: (i) => mutate(i % users, 'warm-up')(),
        });
        console.log(`settle (${settleS} s, not measured): ${describeOpenLoop(settle)}`);
      }

      // The measured load.
      let peakRss = rssMb(syncPid);
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(syncPid))), 1000);
      const cpu0 = cpuByProcess();
      const loadStart = performance.now();
      const loadStartMs = Date.now();
      const driven = await runOpenLoop({
        rate,
        seconds,
        maxInFlight,
        send: (i) => mutate(i % users, `${MEASURED_TITLE} ${i}`)(),
      });
      const cpu1 = cpuByProcess();
      const loadS = (performance.now() - loadStart) / 1000;
      console.log(`load: ${describeOpenLoop(driven)}`);
      console.log(describeCpu(cpu0, cpu1, loadS));
      console.log(
        `sync-service rss at the end of the load ${rssMb(syncPid)} MB; load average ${load()}`,
      );

      // Every event the measured mutations committed, from the outbox (the ground truth, also for
      // a mutation whose answer was lost).
      const events = await sql<{ id: string; subject: string; userId: string; time: string }[]>`
      SELECT id, subject, event->>'userid' AS "userId", event->>'time' AS time FROM outbox
      WHERE event->>'type' = 'task.created'
        AND event->'data'->'task'->>'title' LIKE ${`${MEASURED_TITLE} %`}`;
      const expected = events.reduce((n, e) => n + (bySubscriberOf.get(e.userId)?.length ?? 0), 0);
      const delivered = () =>
        events.reduce(
          (n, e) => n + bySubscriberOf.get(e.userId)!.filter((s) => s.received.has(e.id)).length,
          0,
        );
      const drainEnd = Date.now() + drainS * 1000;
      for (let got = delivered(); got < expected && Date.now() < drainEnd; got = delivered()) {
        console.log(`  drain: ${got} / ${expected} deliveries`);
        await sleep(1000);
      }
      clearInterval(sampler);
      peakRss = Math.max(peakRss, rssMb(syncPid));

      const fromTime: number[] = [];
      const fromResponse: number[] = [];
      let lost = 0;
      for (const e of events) {
        const sent = Date.parse(e.time);
        const answered = responded.get(e.subject);
        for (const s of bySubscriberOf.get(e.userId)!) {
          const at = s.received.get(e.id);
          if (at === undefined) lost++;
          else {
            fromTime.push(at - sent);
            if (answered !== undefined) fromResponse.push(at - answered);
          }
        }
      }
      // Latency by when the event happened: steady, or growing (a queue building up somewhere)?
      const windows = new Map<number, number[]>();
      for (const e of events) {
        const w = Math.floor((Date.parse(e.time) - loadStartMs) / 10_000);
        for (const s of bySubscriberOf.get(e.userId)!) {
          const at = s.received.get(e.id);
          if (at === undefined) continue;
          const xs = windows.get(w) ?? [];
          xs.push(at - Date.parse(e.time));
          windows.set(w, xs);
        }
      }
      console.log(
        `latency by 10 s window of the load (p50/p99 ms): ${[...windows]
          .sort((a, b) => a[0] - b[0])
          .map(([w, xs]) => {
            const sorted = sortNumbers(xs);
            return `${w * 10}s ${quantile(sorted, 0.5)}/${quantile(sorted, 0.99)}`;
          })
          .join(', ')}`,
      );
      // The sync service's own view (sync-service/metrics.ts), when it has one.
      const metrics = await fetch(`http://127.0.0.1:${stack.ports.syncInternal}/metrics`)
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      const own = metrics
        .split('\n')
        .filter((l) => l.startsWith('sync_') && !l.includes('_bucket'));
      if (own.length) console.log(`sync-service metrics: ${own.join('; ')}`);
      const lat = sortNumbers(fromTime);
      const afterResponse = sortNumbers(fromResponse);
      const duplicates = subscribers.reduce((n, s) => n + s.duplicates, 0);
      const failed = subscribers.filter((s) => s.failure);
      console.log(
        `${events.length} events committed, ${expected} deliveries expected, ${lat.length} received, ${lost} lost, ${duplicates} duplicated; ${failed.length} sockets failed${failed[0] ? ` (first: ${failed[0].failure})` : ''}`,
      );
      console.log(
        `latency from the event's time (in the transaction, just before commit): p50 ${quantile(lat, 0.5)} ms, p90 ${quantile(lat, 0.9)} ms, p99 ${quantile(lat, 0.99)} ms, max ${lat.at(-1)} ms`,
      );
      console.log(
        `latency from the mutation's response arriving here (after commit; a receipt may come first): p50 ${quantile(afterResponse, 0.5)} ms, p99 ${quantile(afterResponse, 0.99)} ms`,
      );
      console.log(`sync-service rss: ${rssIdle} MB idle, peak ${peakRss} MB with ${subs} sockets`);

      await Promise.all(subscribers.map((s) => s.close().catch(() => {})));
      console.log(
        `fanout subs=${subs} rate=${rate} p50_ms=${Math.round(quantile(lat, 0.5))} p99_ms=${Math.round(quantile(lat, 0.99))} lost=${lost} rss_mb=${peakRss}`,
      );
    },
    {
      // Every subscriber connects from this one address, several per user: lift the caps.
      serviceEnv: {
        'sync-service': {
          MAX_SOCKETS_PER_ADDRESS: String(subs + 10),
          MAX_SOCKETS_PER_USER: String(Math.ceil(subs / users) + 1),
        },
      },
    },
  );
}

main().catch(cliFatal);

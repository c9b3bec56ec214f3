import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { withBenchStack } from './bench-stack.js';
import { seedTasks, TAGS, WORDS } from './seed-tasks.js';
import { argValue, quantile, sortNumbers } from './stats.js';

// Chatbot tool calls through the real stack (issue 12's benchmark; a benchmark, not a test):
//   npm run bench:mcp -- [--tasks 300000] [--user-tasks 100000] [--finds 400] [--adds 60]
//                        [--find-clients 4] [--add-clients 2]
// On a throwaway stack (api, worker, Temporal dev server in memory, Kafka, Dapr, PostgreSQL
// fsync off): seeds the tasks straight into PostgreSQL (bench-user-0 gets --user-tasks), then
// drives POST /mcp with the SDK's own client, as a chat would: `find_tasks` for bench-user-0
// (text, priority, tag and due-range searches, 20 rows a page), then `add_tasks` with 25 items
// each (each add client is a user of its own, as chats are), each client one call at a time.
// Latency is the whole tool call seen by the client: HTTP, auth, JSON-RPC, the query, the JSON.
// Last line: mcp find_p99_ms=<n> add25_p99_ms=<n> calls_per_s=<n>

const DUE = ['today', 'this_week', 'overdue', 'next_7_days'] as const;

/** The i-th find: a rotation over what people ask a chat for. */
function findArgs(i: number): Record<string, unknown> {
  const word = WORDS[(i * 11) % WORDS.length]!;
  switch (i % 4) {
    case 0:
      return { text: word };
    case 1:
      return { priorities: ['HIGH', 'URGENT'], due: DUE[i % DUE.length] };
    case 2:
      return { tags: [TAGS[i % TAGS.length]], status: 'ANY' };
    default:
      return { text: word.slice(0, 4), due: 'next_7_days' };
  }
}

function addArgs(call: number): Record<string, unknown> {
  return {
    tasks: Array.from({ length: 25 }, (_, j) => ({
      title: `${WORDS[(call + j) % WORDS.length]} ${WORDS[(call * 7 + j) % WORDS.length]} #${call}.${j}`,
      priority: j % 3 === 0 ? 'HIGH' : 'NONE',
      tags: [TAGS[j % TAGS.length]],
      ...(j % 2 === 0 ? { dueAt: new Date(Date.now() + (1 + j) * 3_600_000).toISOString() } : {}),
    })),
  };
}

async function client(url: string, token: string): Promise<Client> {
  const c = new Client({ name: 'bench-mcp', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return c;
}

/** One timed tool call; a failed call (or a failed item) ends the benchmark. */
async function timed(c: Client, name: string, args: Record<string, unknown>): Promise<number> {
  const t0 = performance.now();
  const result = await c.callTool({ name, arguments: args });
  const ms = performance.now() - t0;
  const failed = (result.structuredContent as { failed?: number } | undefined)?.failed;
  if (result.isError || failed)
    throw new Error(`${name} failed: ${JSON.stringify(result).slice(0, 500)}`);
  return ms;
}

const summary = (label: string, xs: number[]): string =>
  `${label}: ${xs.length} calls; p50 ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms, max ${xs.at(-1)?.toFixed(1)} ms`;

async function main(): Promise<void> {
  const total = argValue('tasks', 300_000);
  const userTasks = argValue('user-tasks', 100_000);
  const finds = argValue('finds', 400);
  const adds = argValue('adds', 60);
  const findClients = argValue('find-clients', 4);
  const addClients = argValue('add-clients', 2);
  await withBenchStack(async ({ stack, jwtSecret }) => {
    const t0 = Date.now();
    await seedTasks(stack.databaseUrl, total, userTasks, () => {});
    console.log(
      `seeded ${total} tasks (${userTasks} for the finding user) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    const url = `http://127.0.0.1:${stack.ports.api}/mcp`;

    const finders = await Promise.all(
      Array.from({ length: findClients }, async () =>
        client(url, await mintHs256Token(jwtSecret, 'bench-user-0')),
      ),
    );
    // Warm-up: the first calls compile the query plans and fill the pools.
    for (let i = 0; i < 8; i++) await timed(finders[0]!, 'find_tasks', findArgs(i));
    const findTimes: number[] = [];
    const byKind = new Map<string, number[]>();
    let next = 0;
    const findStart = performance.now();
    await Promise.all(
      finders.map(async (c) => {
        while (next < finds) {
          const args = findArgs(next++);
          const ms = await timed(c, 'find_tasks', args);
          findTimes.push(ms);
          const kind = Object.keys(args).sort().join('+');
          byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
        }
      }),
    );
    const findSeconds = (performance.now() - findStart) / 1000;

    const adders = await Promise.all(
      Array.from({ length: addClients }, async (_, k) =>
        client(url, await mintHs256Token(jwtSecret, `bench-mcp-writer-${k}`)),
      ),
    );
    await timed(adders[0]!, 'add_tasks', addArgs(-1));
    const addTimes: number[] = [];
    let calls = 0;
    const addStart = performance.now();
    await Promise.all(
      adders.map(async (c) => {
        while (calls < adds) addTimes.push(await timed(c, 'add_tasks', addArgs(calls++)));
      }),
    );
    const addSeconds = (performance.now() - addStart) / 1000;
    await Promise.all([...finders, ...adders].map((c) => c.close()));

    const f = sortNumbers(findTimes);
    for (const [kind, xs] of byKind)
      console.log(`  ${summary(`find_tasks by ${kind}`, sortNumbers(xs))}`);
    const a = sortNumbers(addTimes);
    console.log(
      `${summary(`find_tasks (${findClients} clients)`, f)}; ${(f.length / findSeconds).toFixed(0)} calls/s`,
    );
    console.log(
      `${summary(`add_tasks x25 (${addClients} clients)`, a)}; ${(a.length / addSeconds).toFixed(1)} calls/s = ${((a.length * 25) / addSeconds).toFixed(0)} tasks/s`,
    );
    const callsPerSecond = (f.length + a.length) / (findSeconds + addSeconds);
    console.log(
      `mcp find_p99_ms=${Math.round(quantile(f, 0.99))} add25_p99_ms=${Math.round(quantile(a, 0.99))} calls_per_s=${Math.round(callsPerSecond)}`,
    );
  });
}

main().catch(cliFatal);

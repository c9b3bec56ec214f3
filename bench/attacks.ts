import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { freePort } from '../stack/ports.js';
import { argValue } from './stats.js';
import { ATTACKS, type Attack } from './attack-catalog.js';

// Hostile GraphQL requests against one api process (a benchmark, not a test):
//   npm run bench:attacks -- [--root <checkout>] [--timeout-ms 10000]
// Starts the api of the checkout at --root (default: this one) on a free loopback port with an
// unreachable database (none of these attacks needs one: they are answered, or not, before any
// SQL), sends each attack alone while another connection asks /healthz every 20 ms, and prints
// a line per attack: HTTP status, first error code, answer time, the longest /healthz answer
// during it, response size. An attack not answered within --timeout-ms has its api killed and
// a fresh one started for the next. Run it with --root on an older checkout (git worktree) to
// see the figures before a fix.

const rootAt = process.argv.indexOf('--root');
const root = resolve(rootAt > 0 ? (process.argv[rootAt + 1] ?? '.') : '.');
const timeoutMs = argValue('timeout-ms', 10_000);

interface Api {
  port: number;
  child: ChildProcess;
}

async function startApi(secret: string): Promise<Api> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'api/main.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: 'postgres://tickler@127.0.0.1:1/unreachable',
      JWT_SECRET: secret,
      HOST: '127.0.0.1',
      PORT: String(port),
      DAPR_HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
    },
  });
  for (let i = 0; i < 300; i++) {
    if ((await healthz(port, 1000).catch(() => null)) !== null) return { port, child };
    if (child.exitCode !== null) throw new Error(`the api exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the api did not answer /healthz within 30 s');
}

function healthz(port: number, timeout: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', agent: false, timeout },
      (res) => {
        res.resume();
        res.once('end', () => ok(performance.now() - t0));
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', fail);
    req.end();
  });
}

interface Outcome {
  status: number | 'timeout';
  code: string;
  ms: number;
  healthzMaxMs: number;
  bytes: number;
}

async function run(api: Api, attack: Attack, token: string): Promise<Outcome> {
  let probing = true;
  let healthzMax = 0;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await healthz(api.port, timeoutMs + 1000).catch(() => undefined);
      healthzMax = Math.max(healthzMax, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 60));
  const t0 = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let outcome: Outcome;
  try {
    const res = await fetch(`http://127.0.0.1:${api.port}/graphql`, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        'content-type': 'application/json',
        ...(attack.authenticated ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(attack.body()),
    });
    const text = await res.text();
    let code = '-';
    try {
      const json = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
      code = json.errors?.[0]?.extensions?.code ?? (json.errors ? '?' : 'none');
    } catch {
      code = 'not-json';
    }
    outcome = {
      status: res.status,
      code,
      ms: performance.now() - t0,
      healthzMaxMs: 0,
      bytes: text.length,
    };
  } catch {
    outcome = {
      status: 'timeout',
      code: '-',
      ms: performance.now() - t0,
      healthzMaxMs: 0,
      bytes: 0,
    };
  } finally {
    clearTimeout(timer);
  }
  // A blocked loop answers the probe only once it is free again: wait for that answer.
  await new Promise((r) => setTimeout(r, 60));
  probing = false;
  await Promise.race([probe, new Promise((r) => setTimeout(r, timeoutMs + 2000))]);
  outcome.healthzMaxMs = healthzMax;
  return outcome;
}

const WARM_UP: Attack = {
  name: 'warm-up',
  authenticated: true,
  body: () => ({
    query: `{ previewRecurrence(input: { rrule: "FREQ=WEEKLY", dtstart: "2026-01-05T09:00:00", timeZone: "Europe/Berlin", count: 20 }) { occurrences } }`,
  }),
};

async function main(): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const token = await mintHs256Token(secret, 'attacker');
  let api = await startApi(secret);
  const stop = () => api.child.kill('SIGKILL');
  process.once('SIGINT', () => (stop(), process.exit(130)));
  process.once('SIGTERM', () => (stop(), process.exit(143)));
  process.on('exit', stop);
  console.log(`attacks against ${root} (api pid ${api.child.pid}, timeout ${timeoutMs} ms)`);
  // A benign request first, so that no attack pays for the api's cold start (JIT, zone data).
  await run(api, WARM_UP, token);
  for (const attack of ATTACKS) {
    const o = await run(api, attack, token);
    console.log(
      `attack ${attack.name.padEnd(28)} status=${o.status} code=${o.code} answer_ms=${Math.round(o.ms)} healthz_max_ms=${Math.round(o.healthzMaxMs)} bytes=${o.bytes}`,
    );
    if (o.status === 'timeout' || o.healthzMaxMs > timeoutMs) {
      // The api is still busy (or lost for good): the next attack gets a fresh one.
      api.child.kill('SIGKILL');
      api = await startApi(secret);
    }
  }
  stop();
}

main().catch(cliFatal);

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { buildEvent } from '../domain/events.js';
import type { EventId, TaskId, UserId } from '../domain/ids.js';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { freePorts } from '../stack/ports.js';
import { snapshot } from '../test/support/fixtures.js';
import { probeHealthz } from '../test/support/healthz-probe.js';

// Hostile clients against one sync-service process (a benchmark, not a test):
//   npx tsx bench/sync-attacks.ts [--root <checkout>]
// Starts the sync-service of the checkout at --root (default: this one) on free loopback ports,
// with no sidecar behind it (nothing here needs one), and prints one line per attack: a forged
// CloudEvent POSTed to its public port, a 10 MiB WebSocket frame (close code, time to close,
// the longest /healthz answer meanwhile), a 64 MiB frame (the process's peak memory before and
// after), a socket without connection_init, 20 sockets of one user, 50 subscriptions on one
// socket, 300 sockets from one address. Run it with --root on an older checkout
// (`git archive <commit> | tar -x -C <dir>`, node_modules linked) to see the figures before a
// fix.

const rootAt = process.argv.indexOf('--root');
const root = resolve(rootAt > 0 ? (process.argv[rootAt + 1] ?? '.') : '.');
const secret = randomBytes(24).toString('base64url');

/** The process's peak resident memory (VmHWM), in MB. */
const peakRssMb = (pid: number): number =>
  Math.round(
    Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024,
  );

interface Closed {
  code: number;
  reason: string;
}

async function main(): Promise<void> {
  const [port, internalPort, deadDapr] = (await freePorts(3)) as [number, number, number];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(root, 'sync-service/main.ts')],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        ...process.env,
        JWT_SECRET: secret,
        APP_API_TOKEN: randomBytes(24).toString('base64url'),
        HOST: '127.0.0.1',
        PORT: String(port),
        INTERNAL_PORT: String(internalPort),
        DAPR_HTTP_PORT: String(deadDapr),
        LOG_LEVEL: 'fatal',
      },
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/graphql`;
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => undefined))?.ok) break;
      if (i > 300 || child.exitCode !== null) throw new Error('the sync-service did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`sync-service of ${root} on ${base}`);

    // An all-zero mask: ws skips masking, so a big frame costs this process next to nothing.
    const open = () =>
      new Promise<WebSocket>((ok, fail) => {
        const ws = new WebSocket(wsUrl, 'graphql-transport-ws', {
          generateMask: (mask) => void mask.fill(0),
        });
        ws.on('error', () => {});
        ws.once('open', () => ok(ws));
        ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
      });
    const closed = (ws: WebSocket) =>
      new Promise<Closed>((ok) =>
        ws.once('close', (code, reason) => ok({ code, reason: reason.toString() })),
      );
    const first = (ws: WebSocket) =>
      new Promise<string>((ok) => {
        ws.once('message', (d) => ok((JSON.parse(String(d)) as { type: string }).type));
        ws.once('close', (code) => ok(`close ${code}`));
      });
    const connect = async (user: string) => {
      // The token first: a socket refused on arrival closes while anything else is awaited.
      const token = await mintHs256Token(secret, user);
      const ws = await open();
      ws.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      );
      return { ws, answer: await first(ws) };
    };
    const tally = (answers: string[]) =>
      Object.entries(
        answers.reduce<Record<string, number>>((n, a) => ({ ...n, [a]: (n[a] ?? 0) + 1 }), {}),
      )
        .map(([a, n]) => `${n}× ${a}`)
        .join(', ');

    {
      // Well-formed: the old sync-service accepted it and pushed it to the user's clients.
      const taskId = randomUUID() as TaskId;
      const event = buildEvent({
        id: randomUUID() as EventId,
        source: 'tickler/api',
        type: 'task.created',
        time: new Date(),
        subject: taskId,
        userId: `victim-${randomUUID()}` as UserId,
        sequence: 1,
        data: { task: snapshot({ id: taskId, title: 'forged' }) },
      });
      const res = await fetch(`${base}/events/task-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event),
      });
      const body = (await res.text()).slice(0, 60);
      console.log(`forged CloudEvent to the public port: HTTP ${res.status} ${body}`);
    }
    {
      const frame = Buffer.alloc(10 * 2 ** 20, 'x');
      const probe = probeHealthz(base);
      await new Promise((r) => setTimeout(r, 100));
      const ws = await open();
      const t0 = performance.now();
      const done = closed(ws);
      ws.send(frame, { binary: false });
      const { code } = await done;
      const ms = Math.round(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 60));
      const h = await probe.stop();
      console.log(
        `10 MiB frame before connection_init: close ${code} after ${ms} ms; /healthz max ${h.maxMs} ms (${h.times.length} probes, ${h.failures} failed)`,
      );
    }
    {
      // What a large frame costs in memory: the old limit (ws's default, 100 MiB) let a stranger
      // make the process hold it whole before any check.
      const before = peakRssMb(child.pid!);
      const ws = await open();
      const done = closed(ws);
      ws.send(Buffer.alloc(64 * 2 ** 20, 'x'), { binary: false });
      const { code } = await done;
      console.log(
        `64 MiB frame before connection_init: close ${code}; sync-service peak RSS ${before} MB before, ${peakRssMb(child.pid!)} MB after`,
      );
    }
    {
      const ws = await open();
      const t0 = performance.now();
      const { code } = await closed(ws);
      console.log(
        `no connection_init: close ${code} after ${Math.round(performance.now() - t0)} ms`,
      );
    }
    {
      const user = `many-${randomUUID()}`;
      const sockets: WebSocket[] = [];
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        const c = await connect(user);
        sockets.push(c.ws);
        answers.push(c.answer);
      }
      console.log(`20 sockets of one user: ${tally(answers)}`);
      for (const s of sockets) s.terminate();
    }
    {
      const { ws } = await connect(`subs-${randomUUID()}`);
      const refused: string[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as {
          type: string;
          payload?: { extensions?: { code?: string } }[];
        };
        if (m.type === 'error') refused.push(m.payload?.[0]?.extensions?.code ?? '?');
      });
      for (let i = 0; i < 50; i++)
        ws.send(
          JSON.stringify({
            id: String(i),
            type: 'subscribe',
            payload: { query: 'subscription { taskEvents { sequence } }' },
          }),
        );
      await new Promise((r) => setTimeout(r, 1000));
      console.log(
        `50 subscriptions on one socket: ${50 - refused.length} running, ${refused.length} refused (${[...new Set(refused)].join(', ') || '-'})`,
      );
      ws.terminate();
    }
    {
      const sockets: WebSocket[] = [];
      const answers: string[] = [];
      for (let i = 0; i < 300; i++) {
        const c = await connect(`address-${i}-${randomUUID()}`);
        sockets.push(c.ws);
        answers.push(c.answer);
      }
      console.log(`300 sockets from one address (distinct users): ${tally(answers)}`);
      for (const s of sockets) s.terminate();
    }
  } finally {
    child.kill('SIGKILL');
  }
}

main()
  .then(() => process.exit(0))
  .catch(cliFatal);

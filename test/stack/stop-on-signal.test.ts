import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { descendantsOf, readProcs } from '../../bench/proc-table.js';
import { ROOT } from '../../stack/paths.js';
import { isListening } from '../../stack/ports.js';

// A benchmark interrupted by Ctrl-C or SIGTERM stops every process its stack started (issue 14:
// they used to keep running, in their own process groups, after the benchmark died). A whole
// benchmark stack takes a minute and most of the machine, so this drives the same stop path
// (stack/stop-on-signal.ts, which withBenchStack and bench:api go through) with a small tree:
// test/support/signal-tree.ts, run by tsx as `npm run bench:…` runs a benchmark.

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

async function interrupted(phase: 'starting' | 'up', signal: NodeJS.Signals, args: string[] = []) {
  const child = spawn(process.execPath, [TSX, 'test/support/signal-tree.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let ports: number[] = [];
  const lines = createInterface({ input: child.stdout! });
  const reached = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { phase: string; ports: number[] };
      if (msg.phase !== phase) return;
      ports = msg.ports;
      resolve();
    });
    void exited.then(([code]) => reject(new Error(`exited early (code ${code})`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    await reached;
    const procs = readProcs();
    const started = [...descendantsOf(procs, child.pid!)].filter((p) => p !== child.pid);
    assert.ok(started.length >= 2, `the tree is up: ${started.join(' ')}`);
    assert.ok(await isListening(ports[0]!));
    const t0 = Date.now();
    child.kill(signal);
    const [code] = await exited;
    // tsx's own process can exit a moment before the one that ran the script: a bounded wait.
    const deadline = Date.now() + 5000;
    let alive = started;
    for (;;) {
      alive = alive.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      if (alive.length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const listening = [];
    for (const port of ports) if (await isListening(port)) listening.push(port);
    return { code, alive, listening, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timeout);
    child.kill('SIGKILL');
  }
}

test('SIGINT once the stack is up stops every process it started and frees its ports', async () => {
  const r = await interrupted('up', 'SIGINT');
  assert.equal(r.code, 130);
  assert.deepEqual(r.alive, []);
  assert.deepEqual(r.listening, []);
  assert.ok(r.ms < 10_000, `stopped in ${r.ms} ms, not after the SIGKILL grace`);
});

test('SIGTERM during start-up stops what has started and exits 143', async () => {
  const r = await interrupted('starting', 'SIGTERM', ['--hang-in-start']);
  assert.equal(r.code, 143);
  assert.deepEqual(r.alive, []);
  assert.deepEqual(r.listening, []);
});

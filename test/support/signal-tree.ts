import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, isListening } from '../../stack/ports.js';
import { createProcessGroup } from '../../stack/processes.js';
import { withStopOnSignal } from '../../stack/stop-on-signal.js';
import { waitFor } from '../../stack/wait.js';

// A benchmark's shape without its weight, for test/stack/stop-on-signal.test.ts: two listening
// processes in a process group started through the same stop path as withBenchStack, then a
// wait that only a signal ends. Prints one JSON line per phase:
//   {"phase":"starting","ports":[…]}   the first process is up, `start` still runs
//   {"phase":"up","ports":[…]}         both are listening, the "benchmark" runs
// With --hang-in-start, `start` never finishes on its own (a signal during start-up).

const LISTEN = `require('node:http').createServer().listen(Number(process.argv[1]), '127.0.0.1')`;

async function main(): Promise<void> {
  const hangInStart = process.argv.includes('--hang-in-start');
  const logs = mkdtempSync(join(tmpdir(), 'tickler-signal-tree-'));
  const ports = await freePorts(2);
  const group = createProcessGroup(logs, () => {});
  const listener = (i: number) =>
    group.start({
      name: `listener-${i}`,
      command: process.execPath,
      args: ['-e', LISTEN, String(ports[i])],
    });
  await withStopOnSignal(
    async (abort) => {
      listener(0);
      await waitFor('listener-0', () => isListening(ports[0]!));
      console.log(JSON.stringify({ phase: 'starting', ports }));
      if (hangInStart) {
        await new Promise((resolve) => abort.addEventListener('abort', resolve));
        await group.stopAll();
        rmSync(logs, { recursive: true, force: true });
        throw new Error('start-up interrupted');
      }
      listener(1);
      await waitFor('listener-1', () => isListening(ports[1]!));
      return {
        async stop() {
          await group.stopAll();
          rmSync(logs, { recursive: true, force: true });
        },
        killNow: () => group.killAll(),
      };
    },
    async () => {
      console.log(JSON.stringify({ phase: 'up', ports }));
      await new Promise<never>(() => {});
    },
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import type { TemporalKind } from '../stack/components.js';
import { ROOT, stackPaths } from '../stack/paths.js';
import {
  provisionTemporalServer,
  TEMPORAL_SERVER_LABEL,
  temporalServerPprofUrl,
} from '../stack/temporal-server.js';
import { descendantsOf, readProcs } from './proc-table.js';
import { testPorts, type AppId } from '../stack/ports.js';
import { startStack, type RunningStack, type StackOptions } from '../stack/stack.js';
import { withStopOnSignal } from '../stack/stop-on-signal.js';
import { argString, argText } from './stats.js';

export interface BenchStack {
  stack: RunningStack;
  sql: postgres.Sql;
  jwtSecret: string;
}

/** `--temporal dev-server|postgres`: which Temporal a benchmark runs on (dev server by default). */
export const temporalArg = (): TemporalKind =>
  argString<TemporalKind>('temporal', ['dev-server', 'postgres'], 'dev-server');

/** The Temporal and its persistence, as a benchmark's first line names them. */
export const describeTemporal = (kind: TemporalKind = 'dev-server', onDisk = false): string =>
  kind === 'postgres'
    ? TEMPORAL_SERVER_LABEL
    : `Temporal dev server (${onDisk ? 'SQLite on disk, WAL, synchronous=OFF' : 'SQLite in memory'})`;

/**
 * Runs `fn` against a whole throwaway stack (Temporal dev server with in-memory SQLite, or the
 * Temporal server on the stack's PostgreSQL, built on first use, with `temporal: 'postgres'` or,
 * when the caller leaves it unset, the command line's `--temporal postgres`; PostgreSQL with
 * fsync off), then stops it and deletes its state, whatever happened, also
 * when the benchmark is interrupted (SIGINT, SIGTERM) while the stack starts or runs.
 *
 * `--cpu-prof DIR` on any benchmark's command line starts the worker and the api with V8's
 * sampling profiler (one `.cpuprofile` per thread, written when the stack stops; read them with
 * `npm run bench:profile-top -- DIR`). NODE_OPTIONS cannot carry the flag on Node 20.
 */
export async function withBenchStack<T>(
  fn: (b: BenchStack) => Promise<T>,
  opts: Pick<StackOptions, 'onCrash' | 'serviceEnv' | 'temporalOnDisk' | 'temporal'> = {},
): Promise<T> {
  const temporal = opts.temporal ?? temporalArg();
  if (temporal === 'postgres') await provisionTemporalServer(ROOT);
  const state = mkdtempSync(join(tmpdir(), 'tickler-bench-'));
  chmodSync(state, 0o755);
  const removeState = () => rmSync(state, { recursive: true, force: true });
  const jwtSecret = randomBytes(32).toString('base64url');
  const profileDir = argText('cpu-prof');
  console.log(
    `machine: ${cpus().length} cores; ${describeTemporal(temporal, opts.temporalOnDisk)}, PostgreSQL fsync off`,
  );
  return withStopOnSignal(
    async (abort) => {
      const t0 = Date.now();
      let stack: RunningStack;
      try {
        stack = await startStack({
          paths: stackPaths(state),
          ports: await testPorts(),
          ephemeral: true,
          jwtSecret,
          log: () => {},
          abort,
          ...(profileDir ? { nodeArgs: profilingArgs(profileDir) } : {}),
          ...opts,
          temporal,
        });
      } catch (err) {
        removeState();
        throw err;
      }
      // Tests and people wait for this line before interrupting a benchmark.
      console.log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${process.pid})`);
      const pprof = temporal === 'postgres' ? temporalServerPprofUrl(state) : undefined;
      // A CPU profile of the server over the next minute: curl -o server.pprof '<url>profile?seconds=60'
      if (pprof) console.log(`Temporal server profiling endpoint: ${pprof}`);
      const sql = postgres(stack.databaseUrl, { max: 4, onnotice: () => {} });
      return {
        stack,
        sql,
        async stop() {
          await sql.end({ timeout: 2 });
          await stack.stop();
          removeState();
        },
        killNow: () => stack.killNow(),
      };
    },
    ({ stack, sql }) => fn({ stack, sql, jwtSecret }),
  );
}

function profilingArgs(dir: string): Partial<Record<AppId, string[]>> {
  const args = (name: string) => ['--cpu-prof', `--cpu-prof-dir=${join(resolve(dir), name)}`];
  console.log(`CPU profiles of the worker and the api go to ${resolve(dir)}`);
  return { worker: args('worker'), api: args('api') };
}

/** Pids of this process's descendants whose command line contains `needle`. */
export function descendantsRunning(needle: string, root = process.pid): number[] {
  const procs = readProcs();
  const below = descendantsOf(procs, root);
  return procs
    .filter((p) => p.pid !== root && below.has(p.pid) && p.cmd.includes(needle))
    .map((p) => p.pid);
}

/** Resident set of a process in MB; 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

/** Extra worker environment from WORKER_ENV, e.g. 'WORKFLOW_CACHE_SIZE=500 NODE_OPTIONS=' */
export function workerEnv(text = process.env.WORKER_ENV ?? ''): NodeJS.ProcessEnv {
  return Object.fromEntries(
    text
      .split(/\s+(?=[A-Z_]+=)/)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

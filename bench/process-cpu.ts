import { descendantsOf, readProcs } from './proc-table.js';

// Where a benchmark's CPU goes: on a 2-core machine every process of the stack competes with
// every other, so a figure means little without knowing who used the cores meanwhile.

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux everywhere). */
const TICKS_PER_S = 100;

/** A short name for one of the stack's processes, from its command line. */
function labelOf(cmd: string): string {
  const service = /(api|worker|sync-service|audit-service)\/main\.ts/.exec(cmd);
  if (service) return service[1]!;
  const sidecar = /daprd .*--app-id (\S+)/.exec(cmd);
  if (sidecar) return `dapr-${sidecar[1]}`;
  if (cmd.includes('kafka.Kafka')) return 'kafka';
  if (/postgres/.test(cmd)) return 'postgres';
  if (/temporal/.test(cmd)) return 'temporal';
  return 'other';
}

/** CPU seconds used so far by this process (label "bench") and each of its descendants. */
export function cpuByProcess(root = process.pid): Map<string, number> {
  const procs = readProcs();
  const below = descendantsOf(procs, root);
  const out = new Map<string, number>();
  for (const p of procs) {
    if (!below.has(p.pid)) continue;
    // A PostgreSQL backend's time is already in the postmaster's children times once it
    // exits; while it lives it is counted here. Close enough for "who used the cores".
    const label = p.pid === root ? 'bench' : labelOf(p.cmd);
    out.set(label, (out.get(label) ?? 0) + p.ticks / TICKS_PER_S);
  }
  return out;
}

/** "name 12.3 s (20%)" per process between two snapshots, busiest first, over `seconds`. */
export function describeCpu(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): string {
  const used = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const);
  const total = used.reduce((s, [, v]) => s + v, 0);
  return (
    `cpu over ${seconds.toFixed(0)} s: ${total.toFixed(1)} core-s (${((100 * total) / seconds).toFixed(0)}% of one core): ` +
    used
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)} s (${((100 * v) / seconds).toFixed(0)}%)`)
      .join(', ')
  );
}

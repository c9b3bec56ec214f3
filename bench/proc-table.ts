import { readdirSync, readFileSync } from 'node:fs';

// The machine's process table from /proc, for benchmarks that look at the stack's processes.

export interface Proc {
  pid: number;
  ppid: number;
  cmd: string;
  /** utime + stime + the times of its waited-for children (PostgreSQL backends, forks). */
  ticks: number;
}

export function readProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
        return [{ pid: Number(d), ppid: Number(f[1]), cmd, ticks }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** `root` and every process below it. */
export function descendantsOf(procs: Proc[], root: number): Set<number> {
  const below = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs)
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grew = true;
      }
  }
  return below;
}

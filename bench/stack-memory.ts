import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFatal } from '../platform/lifecycle.js';
import { ROOT } from '../stack/paths.js';

// Memory of the running local stack (`npm run dev`) at rest: samples the resident set of the
// supervisor and every process below it for a while and prints the peak total.
//   npm run bench:stack-memory -- [--seconds 30]
// Last line: `stack_memory processes=<n> peak_rss_mb=<n> peak_pss_mb=<n>`.

interface Proc {
  pid: number;
  ppid: number;
  name: string;
}

function processes(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const status = readFileSync(join('/proc', d, 'status'), 'utf8');
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
        const cmd = readFileSync(join('/proc', d, 'cmdline'), 'utf8')
          .split('\0')
          .filter(Boolean);
        return [{ pid: Number(d), ppid, name: describe(cmd) }];
      } catch {
        return [];
      }
    });
}

function describe(cmd: string[]): string {
  const joined = cmd.join(' ');
  const app = /--app-id (\S+)/.exec(joined)?.[1];
  if (app) return `daprd ${app}`;
  const main = /([\w-]+)\/main\.ts/.exec(joined)?.[1];
  if (main) return main;
  if (joined.includes('kafka.Kafka')) return 'kafka';
  if (joined.includes('start-dev')) return 'temporal';
  if (joined.includes('stack/dev.ts')) return 'supervisor';
  if (joined.startsWith('postgres')) return 'postgres';
  return (cmd[0] ?? '?').split('/').pop() ?? '?';
}

function memoryKb(pid: number): { rss: number; pss: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

function tree(root: number): Proc[] {
  const all = processes();
  const out = all.filter((p) => p.pid === root);
  for (let i = 0; i < out.length; i++) out.push(...all.filter((p) => p.ppid === out[i]!.pid));
  return out;
}

async function main(): Promise<void> {
  const idx = process.argv.indexOf('--seconds');
  const seconds = idx > 0 ? Number(process.argv[idx + 1]) : 30;
  const supervisor = Number(readFileSync(join(ROOT, '.state/stack.pid'), 'utf8'));
  let peak = { rss: 0, pss: 0, count: 0, by: new Map<string, number>() };
  for (let s = 0; s < seconds; s++) {
    const procs = tree(supervisor);
    if (procs.length === 0) throw new Error(`no process ${supervisor}: is 'npm run dev' running?`);
    const by = new Map<string, number>();
    let rss = 0;
    let pss = 0;
    for (const p of procs) {
      const m = memoryKb(p.pid);
      rss += m.rss;
      pss += m.pss;
      by.set(p.name, (by.get(p.name) ?? 0) + m.rss);
    }
    if (rss > peak.rss) peak = { rss, pss, count: procs.length, by };
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const [name, kb] of [...peak.by].sort((a, b) => b[1] - a[1])) {
    console.log(`${name.padEnd(22)} ${(kb / 1024).toFixed(0).padStart(6)} MB`);
  }
  console.log(
    `stack_memory processes=${peak.count} peak_rss_mb=${Math.round(peak.rss / 1024)} peak_pss_mb=${Math.round(peak.pss / 1024)}`,
  );
}

main().catch(cliFatal);

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cliFatal } from '../platform/lifecycle.js';
import { argValue } from './stats.js';

// Where a benchmark's CPU went, from the profiles `--cpu-prof DIR` wrote (bench/bench-stack.ts):
//   npm run bench:profile-top -- DIR [--top 25] [--last SECONDS]
// For each profile (one per thread of the worker or the api): the busy time, the functions with
// the most self time, the packages with the most self time, and the functions with the most
// inclusive time (recursion counted once per sample). `--last` keeps only the samples of the
// profile's last seconds (a benchmark's measured window, without the start-up before it). Not a
// test; it prints, nothing asserts.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function profilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return profilesUnder(path);
    return name.endsWith('.cpuprofile') ? [path] : [];
  });
}

/** `node_modules/@temporalio/worker`, `node:internal`, a project folder, or a V8 marker. */
export function packageOf(url: string): string {
  if (!url) return '(v8/native)';
  if (url.startsWith('node:')) return 'node:' + (url.slice(5).split('/')[0] ?? '');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const path = url.replace(/^file:\/\//, '');
  const cwd = process.cwd();
  return path.startsWith(cwd) ? (relative(cwd, path).split('/')[0] ?? path) : path;
}

const frameName = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '')}:${f.lineNumber + 1}` : ''}`.trim();

function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function summarise(file: string, n: number, lastS: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  // Sample i is taken at startTime + the sum of the deltas up to i.
  const at: number[] = [];
  p.timeDeltas.reduce((t, d, i) => (at[i] = t + d), p.startTime);
  const from = Number.isFinite(lastS) ? p.endTime - lastS * 1e6 : -Infinity;
  p.samples.forEach((id, i) => {
    if (at[i]! < from) return;
    // A sample's time is the delta to the next one (the profiler's own convention).
    const us = p.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      if (name !== '(idle)') self.set(name, (self.get(name) ?? 0) + us);
      if (name !== '(idle)') busy += us;
      return;
    }
    busy += us;
    const key = frameName(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + us);
    const where = packageOf(node.callFrame.url);
    pkg.set(where, (pkg.get(where) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = frameName(byId.get(at)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  });
  const wall = (p.endTime - Math.max(p.startTime, from)) / 1e6;
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const pct = (us: number) => ((100 * us) / Math.max(busy, 1)).toFixed(1).padStart(5);
  console.log(
    `\n== ${file}\n   wall ${wall.toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / 1e6 / Math.max(wall, 1e-9)).toFixed(0)}% of one core)`,
  );
  console.log('   self time by package (ms, % of busy):');
  for (const [k, v] of top(pkg, 12)) console.log(`   ${ms(v)} ${pct(v)}%  ${k}`);
  console.log('   self time by function:');
  for (const [k, v] of top(self, n)) console.log(`   ${ms(v)} ${pct(v)}%  ${k}`);
  console.log('   inclusive time by function:');
  for (const [k, v] of top(inclusive, n)) console.log(`   ${ms(v)} ${pct(v)}%  ${k}`);
}

function main(): void {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) throw new Error('usage: bench:profile-top -- DIR [--top N]');
  const n = argValue('top', 25);
  const lastS = argValue('last', Infinity);
  const files = profilesUnder(dir);
  if (files.length === 0) throw new Error(`no .cpuprofile under ${dir}`);
  for (const file of files) summarise(file, n, lastS);
}

try {
  main();
} catch (err) {
  cliFatal(err);
}

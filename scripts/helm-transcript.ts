import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cliFatal } from '../platform/lifecycle.js';
import {
  CHART_DIR,
  KUBE_VERSION,
  KWOK_VALUES,
  chartSecrets,
  clusterObjects,
  kindCounts,
  kubeTool,
  prepareNamespace,
  stopToolRuns,
} from '../stack/chart-release.js';
import { startKubeCluster, type KubeCluster } from '../stack/kube-cluster.js';
import { ROOT } from '../stack/paths.js';
import { waitFor } from '../stack/wait.js';

// The release lifecycle against the real API server, as a transcript (issue 13's "Must show"):
//   npm run helm:transcript [-- --lines 12]
// Starts the chart tests' cluster (stack/kube-cluster.ts), creates the namespace and the chart's
// Secrets, then runs install, get pods, test, upgrade, rollback, history and uninstall, printing
// each command (with its duration) and its output trimmed to --lines lines, and finally the
// objects the release left in the cluster. Stops everything it started, also on SIGINT/SIGTERM
// (startKubeCluster's handlers). test/k8s/release.test.ts asserts what this shows.

const NS = 'tickler';
const RELEASE = 'tickler';
const TIMEOUT = '120s';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} wants a positive integer`);
  return value;
}

const show = (path: string) => relative(ROOT, path) || '.';

function trimmed(text: string, lines: number): string {
  const all = text.replace(/\s+$/, '').split('\n');
  if (all.length <= lines) return all.join('\n');
  return [...all.slice(0, lines), `… (${all.length - lines} more lines)`].join('\n');
}

async function step(
  interrupted: () => boolean,
  kube: KubeCluster,
  tool: 'helm' | 'kubectl',
  args: string[],
  lines: number,
): Promise<void> {
  // Printed as typed with KUBECONFIG set: paths relative to the repository.
  console.log(`$ ${tool} ${args.map((a) => (a.startsWith(ROOT) ? show(a) : a)).join(' ')}`);
  const t0 = Date.now();
  const r = await kubeTool(kube, tool, args);
  if (interrupted()) throw new Error('interrupted');
  const output = trimmed(`${r.stdout}${r.stderr}`, lines);
  if (output) console.log(output);
  console.log(`  [exit ${r.code}, ${((Date.now() - t0) / 1000).toFixed(1)} s]\n`);
  if (r.code !== 0) throw new Error(`${tool} ${args[0]} failed (exit ${r.code})`);
}

async function main(): Promise<void> {
  const lines = option('lines', 12);
  // startKubeCluster's own handlers stop the cluster and end the process; the helm or kubectl
  // run under way would otherwise wait on a stopped cluster after we are gone.
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      interrupted = true;
      stopToolRuns();
    });
  const stopped = () => interrupted;
  const kube = await startKubeCluster({ log: (line) => console.error(line) });
  try {
    const versions = await kube.api<{ gitVersion: string }>('GET', '/version');
    console.log(
      `# kube-apiserver ${versions.body.gitVersion}, one kwok node, the Dapr CRDs; ` +
        `cluster up in ${kube.startSeconds.toFixed(1)} s`,
    );
    const secrets = chartSecrets();
    await prepareNamespace(kube, NS, secrets);
    console.log(
      `# namespace ${NS} with the chart's Secrets: ${secrets.map((s) => s.name).join(', ')}\n`,
    );
    const rendered = await kubeTool(kube, 'helm', [
      'template',
      RELEASE,
      CHART_DIR,
      '-n',
      NS,
      '-f',
      KWOK_VALUES,
      '--kube-version',
      KUBE_VERSION,
    ]);
    if (rendered.code !== 0) throw new Error(`helm template: ${rendered.stderr}`);
    const objects = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as { kind: string } | null)
      .filter((o): o is { kind: string } => o !== null);
    console.log(
      `# helm template renders ${objects.length} objects: ` +
        kindCounts(objects)
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ') +
        '\n',
    );
    const before = new Set(await clusterObjects(kube));

    const chart = ['-n', NS, '-f', KWOK_VALUES];
    await step(
      stopped,
      kube,
      'helm',
      ['install', RELEASE, CHART_DIR, ...chart, '--wait', '--timeout', TIMEOUT],
      lines,
    );
    await step(stopped, kube, 'kubectl', ['get', 'pods', '-n', NS], lines);
    await step(stopped, kube, 'helm', ['test', RELEASE, '-n', NS, '--timeout', TIMEOUT], lines);
    const revisions = [
      'get',
      'deployments',
      '-n',
      NS,
      '-o',
      'custom-columns=NAME:.metadata.name,REVISION:.metadata.annotations.deployment\\.kubernetes\\.io/revision,READY:.status.readyReplicas',
    ];
    await step(
      stopped,
      kube,
      'helm',
      [
        'upgrade',
        RELEASE,
        CHART_DIR,
        ...chart,
        '--set-json',
        'api.env={"RATE_LIMIT_PER_SECOND":"5"}',
        '--wait',
        '--timeout',
        TIMEOUT,
      ],
      lines,
    );
    await step(stopped, kube, 'kubectl', revisions, lines);
    await step(
      stopped,
      kube,
      'helm',
      ['rollback', RELEASE, '1', '-n', NS, '--wait', '--timeout', TIMEOUT],
      lines,
    );
    await step(stopped, kube, 'kubectl', revisions, lines);
    await step(stopped, kube, 'helm', ['history', RELEASE, '-n', NS], lines);
    await step(
      stopped,
      kube,
      'helm',
      ['uninstall', RELEASE, '-n', NS, '--wait', '--timeout', TIMEOUT],
      lines,
    );
    // Pods, ReplicaSets and EndpointSlices go by garbage collection after helm returns.
    let left: string[] = [];
    await waitFor(
      'garbage collection',
      async () => {
        left = (await clusterObjects(kube)).filter((o) => !before.has(o));
        return left.length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    ).catch(() => undefined);
    console.log(
      `# objects in the cluster that were not there before the install: ${left.length}` +
        (left.length ? `\n${left.join('\n')}` : ''),
    );
    if (left.length) process.exitCode = 1;
  } finally {
    await kube.stop();
  }
}

main().catch(cliFatal);

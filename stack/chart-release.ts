import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { KubeCluster } from './kube-cluster.js';
import { ROOT, toolsDir } from './paths.js';
import { waitFor } from './wait.js';

// What installing helm/tickler on the chart tests' cluster (stack/kube-cluster.ts) needs, shared
// by test/k8s/release.test.ts and scripts/helm-transcript.ts: the Secrets the chart names, the
// values file, helm and kubectl runs that report instead of throwing, and the views the release
// lifecycle is judged by (each Deployment's pod template, every object the cluster holds).

export const CHART_DIR = join(ROOT, 'helm/tickler');
/** Values fit for the kwok cluster: fake external addresses, the locally built image. */
export const KWOK_VALUES = join(ROOT, 'helm/tickler/ci/kwok.yaml');
/** The Kubernetes version the chart is rendered for (the cluster runs v1.36.3). */
export const KUBE_VERSION = '1.36.0';

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Ends the tool runs under way (a signal stops the cluster they talk to: they would hang). */
export function stopToolRuns(): void {
  for (const child of running) child.kill('SIGTERM');
}

/** Runs a tool of $TOOLS/bin against the cluster; the exit code is a result, not an error. */
export function kubeTool(
  kube: KubeCluster,
  name: 'helm' | 'kubectl',
  args: string[],
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(toolsDir(), 'bin', name), ['--kubeconfig', kube.kubeconfig, ...args], {
      cwd: ROOT,
      // No plugins, and Helm's caches and repositories stay out of the way of this release.
      env: { ...process.env, HELM_NO_PLUGINS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => (running.delete(child), reject(err)));
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export interface SecretSpec {
  name: string;
  data: Record<string, string>;
}

/**
 * The Secrets the chart names under its default names (docs/operations.md, "Secrets first"), with stand-in
 * values: nothing reads them here, but a release whose Secrets are missing is not one an operator
 * would install. Addresses use the reserved .invalid domain.
 */
export function chartSecrets(): SecretSpec[] {
  const token = () => randomBytes(24).toString('base64url');
  const db = (role: string) => ({
    DATABASE_URL: `postgres://${role}:${token()}@postgres.kwok.invalid:5432/tickler`,
  });
  return [
    { name: 'tickler-dapr-api-token', data: { token: token() } },
    { name: 'tickler-dapr-app-token', data: { token: token() } },
    { name: 'tickler-db-owner', data: db('tickler') },
    { name: 'tickler-db-api', data: db('tickler_api') },
    { name: 'tickler-db-worker', data: db('tickler_worker') },
    { name: 'tickler-db-audit', data: db('tickler_audit') },
    {
      name: 'tickler-kafka',
      data: { brokers: 'kafka.kwok.invalid:9093', username: 'tickler', password: token() },
    },
    { name: 'tickler-jwt', data: { JWT_SECRET: token() } },
  ];
}

/**
 * A fresh namespace with the chart's Secrets, once Kubernetes has added what it adds to every
 * namespace (the default ServiceAccount, the kube-root-ca.crt ConfigMap): a snapshot taken after
 * this holds them.
 */
export async function prepareNamespace(
  kube: KubeCluster,
  namespace: string,
  secrets: SecretSpec[],
): Promise<void> {
  const ns = await kube.api('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  if (ns.status !== 201) throw new Error(`namespace ${namespace}: ${JSON.stringify(ns.body)}`);
  for (const s of secrets) {
    const res = await kube.api('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: s.name },
      type: 'Opaque',
      stringData: s.data,
    });
    if (res.status !== 201) throw new Error(`secret ${s.name}: ${JSON.stringify(res.body)}`);
  }
  for (const path of ['serviceaccounts/default', 'configmaps/kube-root-ca.crt'])
    await waitFor(
      `${namespace}/${path}`,
      async () => (await kube.api('GET', `/api/v1/namespaces/${namespace}/${path}`)).status === 200,
      { timeoutMs: 30_000 },
    );
}

/* eslint-disable @typescript-eslint/no-explicit-any -- API objects: the callers read known paths */
export interface DeploymentState {
  /** deployment.kubernetes.io/revision: bumped each time the pod template changes. */
  revision: string;
  /** The pod template-hash of the ReplicaSet that revision runs. */
  templateHash: string;
  template: any;
}

/** Each Deployment of the namespace by name: its pod template and the ReplicaSet running it. */
export async function deploymentStates(
  kube: KubeCluster,
  namespace: string,
): Promise<Map<string, DeploymentState>> {
  const deployments = await kube.api<{ items: any[] }>(
    'GET',
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
  );
  const sets = await kube.api<{ items: any[] }>(
    'GET',
    `/apis/apps/v1/namespaces/${namespace}/replicasets`,
  );
  const states = new Map<string, DeploymentState>();
  for (const d of deployments.body.items) {
    const revision = d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '';
    const rs = sets.body.items.find(
      (r) =>
        r.metadata.ownerReferences?.some((o: any) => o.uid === d.metadata.uid) &&
        r.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision,
    );
    states.set(d.metadata.name, {
      revision,
      templateHash: rs?.metadata.labels?.['pod-template-hash'] ?? '',
      template: d.spec.template,
    });
  }
  return states;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Resource types that hold no object a release could leave: Events (records of what happened,
 * which expire on their own) and componentstatuses (computed, deprecated).
 */
const NOT_STORED = new Set(['events', 'events.events.k8s.io', 'componentstatuses']);

/**
 * Every object the cluster holds, in every namespace and cluster-wide, of every resource type the
 * API server serves with `list` (discovery, custom resources included), as
 * `kind.group namespace/name` lines.
 */
export async function clusterObjects(kube: KubeCluster): Promise<string[]> {
  const types = (await kube.kubectl('api-resources', '--verbs=list', '-o', 'name')).stdout
    .split('\n')
    .map((t) => t.trim())
    .filter((t) => t && !NOT_STORED.has(t));
  const { stdout } = await kube.kubectl('get', types.join(','), '--all-namespaces', '-o', 'json');
  const items = (
    JSON.parse(stdout) as {
      items: {
        apiVersion: string;
        kind: string;
        metadata: { name: string; namespace?: string };
      }[];
    }
  ).items;
  return items
    .map((o) => {
      const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
      const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : '';
      return `${o.kind}${group} ${ns}${o.metadata.name}`;
    })
    .sort();
}

/** Kinds and counts of a rendering, most frequent first: "Deployment 4, ConfigMap 4, …". */
export function kindCounts(objects: { kind: string }[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

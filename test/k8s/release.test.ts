import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CHART_DIR,
  KUBE_VERSION,
  KWOK_VALUES,
  chartSecrets,
  clusterObjects,
  deploymentStates,
  kubeTool,
  prepareNamespace,
  type DeploymentState,
  type SecretSpec,
  type ToolRun,
} from '../../stack/chart-release.js';
import { waitFor } from '../../stack/wait.js';
import { parseManifests, type K8sObject } from '../support/helm.js';
import { FAKE_NODE, startTestKubeCluster, type KubeCluster } from '../support/kube-cluster.js';

// helm/tickler's whole release lifecycle on a real API server (stack/kube-cluster.ts: etcd,
// kube-apiserver, controllers, scheduler, kwok's fake node, Dapr's CRDs): every rendered object
// accepted by a strict server-side dry run, install with its hook Jobs, helm test, an upgrade
// that rolls only what changed, rollback, and an uninstall that leaves nothing behind. kwok
// makes pods Running and Ready and completes Jobs' pods; no container runs (docs/operations.md, "A
// Kubernetes cluster for the chart tests"). The tests run in order on one release.

const NS = 'tickler';
const RELEASE = 'tickler';
const APPS = ['tickler-api', 'tickler-worker', 'tickler-sync-service', 'tickler-audit-service'];
const TIMEOUT = '120s';

interface HelmStatus {
  version: number;
  info: { status: string };
  hooks?: { name: string; kind: string; events: string[]; last_run?: { phase?: string } }[];
}

describe('the chart on a real API server: install, test, upgrade, rollback, uninstall', () => {
  let kube: KubeCluster;
  let secrets: SecretSpec[];
  let rendered: K8sObject[];
  let renderedFile: string;
  let beforeInstall: string[];
  let revision1: Map<string, DeploymentState>;

  const helm = (...args: string[]) => kubeTool(kube, 'helm', args);
  const ok = (r: ToolRun, what: string) =>
    assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const status = async (): Promise<HelmStatus> => {
    const r = await helm('status', RELEASE, '-n', NS, '-o', 'json');
    ok(r, 'helm status');
    return JSON.parse(r.stdout) as HelmStatus;
  };
  const upgrade = (...set: string[]) =>
    helm(
      'upgrade',
      RELEASE,
      CHART_DIR,
      '-n',
      NS,
      '-f',
      KWOK_VALUES,
      ...set,
      '--wait',
      '--timeout',
      TIMEOUT,
    );
  const changed = (a: Map<string, DeploymentState>, b: Map<string, DeploymentState>) =>
    APPS.filter((app) => a.get(app)!.templateHash !== b.get(app)!.templateHash).sort();

  after(() => kube?.stop());
  before(async () => {
    kube = await startTestKubeCluster();
    secrets = chartSecrets();
    await prepareNamespace(kube, NS, secrets);
    const r = await helm(
      'template',
      RELEASE,
      CHART_DIR,
      '-n',
      NS,
      '-f',
      KWOK_VALUES,
      '--kube-version',
      KUBE_VERSION,
    );
    ok(r, 'helm template');
    rendered = parseManifests(r.stdout);
    renderedFile = join(kube.dir, 'rendered.yaml');
    writeFileSync(renderedFile, r.stdout);
  });

  test('every Secret the rendering names, with each key it reads, is one the test creates', () => {
    // References: secretKeyRef (env, Dapr component metadata), secret volumes, the Dapr
    // injector's token annotations (key `token`) and the Roles' resourceNames.
    const refs = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      const ref = o.secretKeyRef as { name: string; key: string } | undefined;
      if (ref) refs.add(`${ref.name}:${ref.key}`);
      const vol = o.secret as { secretName?: string } | undefined;
      if (vol?.secretName) refs.add(`${vol.secretName}:`);
      Object.values(o).forEach(walk);
    };
    rendered.forEach(walk);
    for (const o of rendered) {
      const annotations = o.spec?.template?.metadata?.annotations ?? {};
      for (const a of ['dapr.io/api-token-secret', 'dapr.io/app-token-secret'])
        if (annotations[a]) refs.add(`${annotations[a]}:token`);
      if (o.kind === 'Role')
        for (const rule of o.rules)
          for (const name of rule.resourceNames ?? []) refs.add(`${name}:`);
    }
    assert.ok(refs.size >= 8, [...refs].join(' '));
    for (const ref of refs) {
      const [name, key] = ref.split(':') as [string, string];
      const secret = secrets.find((s) => s.name === name);
      assert.ok(secret, `the chart names Secret ${name}, which the test does not create`);
      if (key) assert.ok(key in secret.data, `Secret ${name} has no key ${key}`);
    }
  });

  test('kubectl apply --dry-run=server --validate=strict accepts every rendered object', async () => {
    const r = await kube.kubectl(
      'apply',
      '--dry-run=server',
      '--validate=strict',
      '-n',
      NS,
      '-f',
      renderedFile,
    );
    const accepted = r.stdout.split('\n').filter((l) => l.endsWith(' created (server dry run)'));
    // Hooks, helm test's Job and the Dapr resources included (helm template renders them all).
    const kinds = new Set(rendered.map((o) => o.kind));
    for (const kind of ['Job', 'Component', 'Configuration', 'Resiliency', 'Subscription'])
      assert.ok(kinds.has(kind), `${kind} rendered`);
    assert.equal(accepted.length, rendered.length, r.stdout);
    assert.ok(rendered.length >= 50, `${rendered.length} objects`);
    // No warning either (a deprecated API, a field the server drops).
    assert.equal(r.stderr.trim(), '');
    console.log(`server-side dry run accepted ${accepted.length} objects`);
  });

  test('helm install --wait succeeds: hook Jobs completed and cleaned up, every pod Running', async () => {
    beforeInstall = await clusterObjects(kube);
    const t0 = Date.now();
    const r = await helm(
      'install',
      RELEASE,
      CHART_DIR,
      '-n',
      NS,
      '-f',
      KWOK_VALUES,
      '--wait',
      '--timeout',
      TIMEOUT,
    );
    ok(r, 'helm install');
    console.log(`helm install --wait: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const s = await status();
    assert.equal(s.info.status, 'deployed');
    const jobs = (s.hooks ?? []).filter(
      (h) => h.kind === 'Job' && h.events.includes('pre-install'),
    );
    assert.deepEqual(jobs.map((h) => h.name).sort(), [
      'tickler-migrations',
      'tickler-search-attributes',
    ]);
    for (const h of jobs) assert.equal(h.last_run?.phase, 'Succeeded', h.name);
    // hook-succeeded deleted them (a failed one would stay, with its pod, for its logs).
    const left = await kube.api<{ items: unknown[] }>(
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs`,
    );
    assert.deepEqual(left.body.items, []);

    const deployments = await kube.api<{ items: K8sObject[] }>(
      'GET',
      `/apis/apps/v1/namespaces/${NS}/deployments`,
    );
    assert.deepEqual(deployments.body.items.map((d) => d.metadata.name).sort(), [...APPS].sort());
    for (const d of deployments.body.items)
      assert.equal(d.status.readyReplicas, d.spec.replicas, d.metadata.name);
    const pods = await kube.api<{ items: K8sObject[] }>('GET', `/api/v1/namespaces/${NS}/pods`);
    assert.ok(pods.body.items.length >= APPS.length);
    for (const p of pods.body.items) {
      assert.equal(p.status.phase, 'Running', p.metadata.name);
      assert.equal(p.spec.nodeName, FAKE_NODE);
    }
    revision1 = await deploymentStates(kube, NS);
  });

  test('helm test passes (its Job completes under kwok; the script itself runs in test/e2e)', async () => {
    const r = await helm('test', RELEASE, '-n', NS, '--timeout', TIMEOUT);
    ok(r, 'helm test');
    assert.match(r.stdout, /TEST SUITE:\s+tickler-smoke-test[\s\S]*Phase:\s+Succeeded/);
    assert.doesNotMatch(r.stdout, /Phase:\s+Failed/);
    const s = await status();
    const job = (s.hooks ?? []).find((h) => h.kind === 'Job' && h.events.includes('test'));
    assert.equal(job?.last_run?.phase, 'Succeeded');
  });

  test('helm upgrade with an api setting rolls the api only', async () => {
    ok(await upgrade('--set-json', 'api.env={"RATE_LIMIT_PER_SECOND":"5"}'), 'helm upgrade');
    assert.equal((await status()).version, 2);
    const now = await deploymentStates(kube, NS);
    assert.deepEqual(changed(revision1, now), ['tickler-api']);
    assert.notEqual(now.get('tickler-api')!.revision, revision1.get('tickler-api')!.revision);
    for (const app of APPS.filter((a) => a !== 'tickler-api')) {
      assert.equal(now.get(app)!.revision, revision1.get(app)!.revision, app);
      assert.deepEqual(now.get(app)!.template, revision1.get(app)!.template, app);
    }
  });

  test('helm upgrade with a Dapr Configuration change rolls every service (the sidecars read it at start)', async () => {
    const previous = await deploymentStates(kube, NS);
    ok(
      await upgrade(
        '--set-json',
        'api.env={"RATE_LIMIT_PER_SECOND":"5"}',
        '--set',
        'dapr.tracing.samplingRate=0.5',
      ),
      'helm upgrade',
    );
    const now = await deploymentStates(kube, NS);
    assert.deepEqual(changed(previous, now), [...APPS].sort());
    for (const app of APPS) {
      const a = (s: Map<string, DeploymentState>) => s.get(app)!.template.metadata.annotations;
      assert.notEqual(a(now)['checksum/dapr-config'], a(previous)['checksum/dapr-config'], app);
      assert.equal(a(now)['checksum/config'], a(previous)['checksum/config'], app);
    }
  });

  test('helm rollback to revision 1 restores its pod templates (and reuses its ReplicaSets)', async () => {
    ok(await helm('rollback', RELEASE, '1', '-n', NS, '--wait', '--timeout', TIMEOUT), 'rollback');
    const s = await status();
    assert.equal(s.version, 4);
    assert.equal(s.info.status, 'deployed');
    const now = await deploymentStates(kube, NS);
    for (const app of APPS) {
      assert.deepEqual(now.get(app)!.template, revision1.get(app)!.template, app);
      assert.equal(now.get(app)!.templateHash, revision1.get(app)!.templateHash, app);
    }
  });

  test('helm uninstall leaves nothing behind, in the namespace or cluster-wide', async () => {
    ok(await helm('uninstall', RELEASE, '-n', NS, '--wait', '--timeout', TIMEOUT), 'uninstall');
    // Pods, ReplicaSets and EndpointSlices go by garbage collection, after helm returns.
    let diff: string[] = [];
    const before = new Set(beforeInstall);
    await waitFor(
      'the cluster back to its state before the install',
      async () => {
        const now = await clusterObjects(kube);
        const nowSet = new Set(now);
        diff = [
          ...now.filter((o) => !before.has(o)).map((o) => `left: ${o}`),
          ...beforeInstall.filter((o) => !nowSet.has(o)).map((o) => `gone: ${o}`),
        ];
        return diff.length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    ).catch(() => undefined);
    assert.deepEqual(diff, []);
    // The namespace keeps what Kubernetes put there and the operator's Secrets.
    const inNs = beforeInstall.filter((o) => o.includes(` ${NS}/`));
    assert.deepEqual(inNs, [
      `ConfigMap ${NS}/kube-root-ca.crt`,
      ...secrets.map((s) => `Secret ${NS}/${s.name}`).sort(),
      `ServiceAccount ${NS}/default`,
    ]);
    const list = await helm('list', '-n', NS, '--all', '-q');
    assert.equal(list.stdout.trim(), '');
  });
});

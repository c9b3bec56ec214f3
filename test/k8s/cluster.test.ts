import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../stack/wait.js';
import { FAKE_NODE, startTestKubeCluster, type KubeCluster } from '../support/kube-cluster.js';

// The Kubernetes control plane the chart is proven on: real etcd, kube-apiserver, controllers and
// scheduler built from the Go module proxy, kwok standing in for kubelets.

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}

describe('kubernetes test cluster', () => {
  let kube: KubeCluster;
  const ns = `k8s-test-${Date.now()}`;

  after(() => kube?.stop());
  before(async () => {
    kube = await startTestKubeCluster();
    console.log(`cluster started in ${kube.startSeconds.toFixed(1)} s`);
    const res = await kube.api('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    assert.equal(res.status, 201);
  });

  test('the API server reports v1.36.3 and the fake node is Ready', async () => {
    const version = await kube.api<{ gitVersion: string }>('GET', '/version');
    assert.equal(version.body.gitVersion, 'v1.36.3');
    const { stdout } = await kube.kubectl('get', 'node', FAKE_NODE, '-o', 'json');
    const node = JSON.parse(stdout) as Pod;
    assert.ok(
      node.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      `node conditions: ${JSON.stringify(node.status.conditions)}`,
    );
  });

  test("a Deployment's pod is scheduled on the fake node and becomes Running and Ready", async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'example.invalid/web:1' }] },
        },
      },
    };
    const created = await kube.api(
      'POST',
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      deployment,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let pods: Pod[] = [];
    await waitFor(
      'two Running pods',
      async () => {
        const res = await kube.api<{ items: Pod[] }>(
          'GET',
          `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`,
        );
        pods = res.body.items;
        return pods.length === 2 && pods.every((p) => p.status.phase === 'Running');
      },
      { timeoutMs: 60_000 },
    );
    for (const pod of pods) {
      assert.equal(pod.spec.nodeName, FAKE_NODE);
      assert.ok(pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }
    // The Deployment controller sees them too: `helm install --wait` waits on exactly this.
    await waitFor(
      'the Deployment available',
      async () => {
        const res = await kube.api<{ status: { availableReplicas?: number } }>(
          'GET',
          `/apis/apps/v1/namespaces/${ns}/deployments/web`,
        );
        return res.body.status.availableReplicas === 2;
      },
      { timeoutMs: 30_000 },
    );
  });

  test('a server-side dry run with strict validation rejects an unknown field and stores nothing', async () => {
    const pod = (spec: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'strict', namespace: ns },
      spec: { containers: [{ name: 'c', image: 'example.invalid/c:1' }], ...spec },
    });
    const path = `/api/v1/namespaces/${ns}/pods?dryRun=All&fieldValidation=Strict`;
    const bad = await kube.api<{ message: string }>(
      'POST',
      path,
      pod({ terminationGracePeriod: 5 }),
    );
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.match(bad.body.message, /unknown field "spec.terminationGracePeriod"/);
    const good = await kube.api('POST', path, pod({ terminationGracePeriodSeconds: 5 }));
    assert.equal(good.status, 201, JSON.stringify(good.body));
    // kubectl, as the chart tests will call it, says the same.
    const file = join(kube.dir, 'strict-pod.json');
    writeFileSync(file, JSON.stringify(pod({ terminationGracePeriod: 5 })));
    await assert.rejects(
      kube.kubectl('apply', '--dry-run=server', '--validate=strict', '-f', file),
      (err: Error & { stderr?: string }) =>
        /unknown field "spec.terminationGracePeriod"/.test(err.stderr ?? ''),
    );
    const stored = await kube.api('GET', `/api/v1/namespaces/${ns}/pods/strict`);
    assert.equal(stored.status, 404, 'a dry run stores nothing');
  });

  test('the Dapr CRDs are served: a Component is accepted, a misspelt field is not', async () => {
    const component = (spec: Record<string, unknown>) => ({
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'pubsub', namespace: ns },
      spec: {
        type: 'pubsub.kafka',
        version: 'v1',
        metadata: [{ name: 'brokers', value: 'kafka:9092' }],
        ...spec,
      },
    });
    const base = `/apis/dapr.io/v1alpha1/namespaces/${ns}/components`;
    const created = await kube.api('POST', `${base}?fieldValidation=Strict`, component({}));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const bad = await kube.api('POST', `${base}?dryRun=All&fieldValidation=Strict`, {
      ...component({ typo: true }),
      metadata: { name: 'other', namespace: ns },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CI_VALUES, NAMESPACE, render, type K8sObject } from '../support/helm.js';

// What the rendered objects promise, checked object by object: hardened pods, probes and
// resources everywhere, secrets only by reference, Dapr wired as the local stack is, and a
// checksum that rolls exactly the component whose settings changed.

const APPS = ['api', 'worker', 'sync-service', 'audit-service'];

const podSpecs = (objects: K8sObject[]) =>
  objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, object: o, pod: o.spec.template }));

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const deployment = (objects: K8sObject[], app: string) => {
  const d = byKind(objects, 'Deployment').find(
    (o) => o.metadata.labels['app.kubernetes.io/component'] === app,
  );
  assert.ok(d, `no Deployment for ${app}`);
  return d;
};

for (const [label, values] of [
  ['default values', []],
  ...CI_VALUES.map((f) => [f, [f]] as const),
] as const) {
  test(`every container runs as non-root with a read-only root fs and no privileges (${label})`, async () => {
    const pods = podSpecs(await render({ values: [...values] }));
    assert.ok(pods.length >= 5);
    for (const { name, pod } of pods) {
      assert.equal(pod.spec.securityContext.runAsNonRoot, true, name);
      assert.equal(pod.spec.securityContext.seccompProfile.type, 'RuntimeDefault', name);
      assert.equal(pod.spec.automountServiceAccountToken, false, name);
      for (const c of pod.spec.containers) {
        const sc = c.securityContext;
        assert.equal(sc.readOnlyRootFilesystem, true, `${name} ${c.name}`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${name} ${c.name}`);
        assert.equal(sc.runAsNonRoot, true, `${name} ${c.name}`);
        assert.deepEqual(sc.capabilities.drop, ['ALL'], `${name} ${c.name}`);
        assert.ok(c.resources.requests.cpu && c.resources.limits.memory, `${name} resources`);
      }
    }
  });

  test(`secrets reach containers only as Secret references, the services' through the store (${label})`, async () => {
    const objects = await render({ values: [...values] });
    assert.deepEqual(byKind(objects, 'Secret'), [], 'the chart must not carry Secrets');
    for (const { name, object, pod } of podSpecs(objects))
      for (const c of pod.spec.containers)
        for (const e of c.env ?? []) {
          if (/SECRET|TOKEN|PASSWORD|DATABASE_URL|API_KEY/.test(e.name))
            assert.ok(e.valueFrom?.secretKeyRef?.name, `${name}: ${e.name} is not from a Secret`);
          // A service reads its secrets through its sidecar's store; the one it cannot is the
          // token it asks the sidecar with (Dapr's injector gives that to the sidecar alone).
          if (object.kind === 'Deployment' && e.valueFrom?.secretKeyRef)
            assert.equal(e.name, 'DAPR_API_TOKEN', `${name}: ${e.name} from a Secret in env`);
        }
    for (const cm of byKind(objects, 'ConfigMap'))
      for (const [key, value] of Object.entries<string>(cm.data ?? {})) {
        if (key === 'SECRET_STORE') assert.equal(value, 'tickler-secrets');
        else if (key.startsWith('SECRET_REF_'))
          assert.match(value, /^[a-z0-9.-]+\/[-._a-zA-Z0-9]+$/, `${cm.metadata.name} ${key}`);
        else
          assert.doesNotMatch(
            key,
            /SECRET|PASSWORD|DATABASE_URL|API_KEY|_TOKEN$/,
            cm.metadata.name,
          );
      }
  });

  test(`each service's Role may get exactly the Secrets its app reads from the store (${label})`, async () => {
    const objects = await render({ values: [...values] });
    const [store] = byKind(objects, 'Component').filter(
      (c) => c.spec.type === 'secretstores.kubernetes',
    );
    const allowed = new Set<string>();
    for (const app of APPS) {
      const config = byKind(objects, 'ConfigMap').find(
        (c) => c.metadata.labels['app.kubernetes.io/component'] === app,
      )!;
      assert.equal(config.data.SECRET_STORE, store!.metadata.name, app);
      const reads = Object.entries<string>(config.data)
        .filter(([k]) => k.startsWith('SECRET_REF_'))
        .map(([, ref]) => ref.split('/')[0]!);
      const role = byKind(objects, 'Role').find(
        (r) => r.metadata.labels['app.kubernetes.io/component'] === app,
      )!;
      assert.equal(role.rules.length, 1, app);
      assert.deepEqual(role.rules[0].verbs, ['get'], app);
      assert.deepEqual([...role.rules[0].resourceNames].sort(), [...new Set(reads)].sort(), app);
      reads.forEach((s) => allowed.add(s));
    }
    const [config] = byKind(objects, 'Configuration');
    const [scope] = config!.spec.secrets.scopes;
    assert.equal(scope.defaultAccess, 'deny');
    assert.deepEqual([...scope.allowedSecrets].sort(), [...allowed].sort());
  });

  test(`every Deployment has probes, resources, its own ServiceAccount and Dapr (${label})`, async () => {
    const objects = await render({ values: [...values] });
    const accounts = new Set(byKind(objects, 'ServiceAccount').map((s) => s.metadata.name));
    const seen = new Set<string>();
    for (const app of APPS) {
      const d = deployment(objects, app);
      const pod = d.spec.template;
      const [c] = pod.spec.containers;
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
        assert.ok(c[probe]?.httpGet, `${app} ${probe}`);
      assert.equal(c.livenessProbe.httpGet.path, '/healthz');
      assert.equal(c.readinessProbe.httpGet.path, '/readyz');
      assert.ok(c.resources.requests && c.resources.limits, `${app} resources`);
      assert.ok(accounts.has(pod.spec.serviceAccountName), `${app} ServiceAccount`);
      assert.ok(!seen.has(pod.spec.serviceAccountName), `${app} shares a ServiceAccount`);
      seen.add(pod.spec.serviceAccountName);
      const a = pod.metadata.annotations;
      assert.equal(a['dapr.io/enabled'], 'true');
      assert.equal(a['dapr.io/app-id'], app);
      assert.equal(a['dapr.io/config'], 'tickler');
      assert.equal(a['dapr.io/log-as-json'], 'true');
      assert.ok(a['dapr.io/graceful-shutdown-seconds']);
      assert.ok(a['dapr.io/sidecar-memory-limit'] && a['dapr.io/sidecar-cpu-request']);
      assert.match(a['checksum/config'], /^[a-f0-9]{64}$/);
      assert.ok(
        Number(a['dapr.io/graceful-shutdown-seconds']) < pod.spec.terminationGracePeriodSeconds,
        `${app}: the sidecar must be done before the pod is killed`,
      );
      assert.equal(d.spec.strategy.rollingUpdate.maxUnavailable, 0);
    }
    // The sidecar calls back only the apps that receive events or invocations.
    assert.equal(
      deployment(objects, 'sync-service').spec.template.metadata.annotations['dapr.io/app-port'],
      '4004',
    );
    assert.equal(
      deployment(objects, 'audit-service').spec.template.metadata.annotations['dapr.io/app-port'],
      '4002',
    );
    assert.equal(
      deployment(objects, 'api').spec.template.metadata.annotations['dapr.io/app-port'],
      undefined,
    );
  });

  test(`HPAs for the api and the sync-service, a PDB for every service, default-deny networking (${label})`, async () => {
    const objects = await render({ values: [...values] });
    const hpaTargets = byKind(objects, 'HorizontalPodAutoscaler').map(
      (h) => h.spec.scaleTargetRef.name,
    );
    assert.deepEqual(hpaTargets.sort(), ['tickler-api', 'tickler-sync-service']);
    // A Deployment under an HPA leaves its replica count to it.
    assert.equal(deployment(objects, 'api').spec.replicas, undefined);
    assert.ok(deployment(objects, 'worker').spec.replicas >= 2);
    const pdbs = byKind(objects, 'PodDisruptionBudget').map(
      (p) => p.spec.selector.matchLabels['app.kubernetes.io/component'],
    );
    assert.deepEqual(pdbs.sort(), [...APPS].sort());
    const deny = byKind(objects, 'NetworkPolicy').find((p) =>
      p.metadata.name.endsWith('default-deny'),
    );
    assert.ok(deny);
    assert.deepEqual(deny.spec.policyTypes, ['Ingress', 'Egress']);
    assert.equal(deny.spec.ingress, undefined);
    assert.equal(deny.spec.egress, undefined);
    // Only the api and the sync-service take traffic from the ingress controller.
    const fromIngress = byKind(objects, 'NetworkPolicy')
      .filter((p) =>
        (p.spec.ingress ?? []).some((r: { from?: unknown[] }) =>
          JSON.stringify(r.from).includes('ingress-nginx'),
        ),
      )
      .map((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/component']);
    assert.deepEqual(fromIngress.sort(), ['api', 'sync-service']);
  });
}

test('one Ingress host serves /graphql and /mcp from the api and the subscriptions from the sync-service, with TLS', async () => {
  const objects = await render();
  const [ingress] = byKind(objects, 'Ingress');
  assert.ok(ingress);
  assert.equal(ingress.spec.rules.length, 1);
  const routes = Object.fromEntries(
    ingress.spec.rules[0].http.paths.map(
      (p: { path: string; backend: { service: { name: string } } }) => [
        p.path,
        p.backend.service.name,
      ],
    ),
  );
  assert.equal(routes['/graphql'], 'tickler-api');
  assert.equal(routes['/mcp'], 'tickler-api');
  assert.equal(routes['/subscriptions'], 'tickler-sync-service');
  assert.equal(ingress.spec.tls[0].hosts[0], ingress.spec.rules[0].host);
  // The sync-service is told the path the Ingress routes to it.
  const sync = byKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'tickler-sync-service');
  assert.equal(sync?.data.WS_PATH, '/subscriptions');
});

test('cert-manager issues the certificate when an issuer is named', async () => {
  const [ingress] = byKind(
    await render({ values: ['helm/tickler/ci/production.yaml'] }),
    'Ingress',
  );
  assert.equal(ingress!.metadata.annotations['cert-manager.io/cluster-issuer'], 'letsencrypt-prod');
});

test('a changed setting rolls only its component; a Dapr Configuration change rolls all', async () => {
  // [checksum/config, checksum/dapr-config] by app.
  const checksums = async (setJson: string[]): Promise<Map<string, [string, string]>> => {
    const objects = await render({ setJson });
    return new Map(
      APPS.map((app) => {
        const a = deployment(objects, app).spec.template.metadata.annotations;
        return [app, [a['checksum/config'], a['checksum/dapr-config']]];
      }),
    );
  };
  const before = await checksums([]);
  const api = await checksums(['api.env={"RATE_LIMIT_PER_SECOND":"5"}']);
  assert.notEqual(api.get('api')![0], before.get('api')![0]);
  for (const app of ['worker', 'sync-service', 'audit-service'])
    assert.deepEqual(api.get(app), before.get(app), app);
  const temporal = await checksums(['temporal.address="temporal.other:7233"']);
  assert.notEqual(temporal.get('worker')![0], before.get('worker')![0]);
  assert.equal(temporal.get('api')![0], before.get('api')![0]);
  const tracing = await checksums(['dapr.tracing.samplingRate="0.5"']);
  for (const app of APPS) assert.notEqual(tracing.get(app)![1], before.get(app)![1], app);
});

test('migrations and search attributes run as pre-install/pre-upgrade hooks, or as plain Jobs for GitOps', async () => {
  const hooked = byKind(await render(), 'Job');
  const hookOf = (jobs: K8sObject[], component: string) =>
    jobs.find((j) => j.metadata.labels['app.kubernetes.io/component'] === component);
  for (const component of ['migrations', 'search-attributes']) {
    const job = hookOf(hooked, component);
    assert.equal(job?.metadata.annotations['helm.sh/hook'], 'pre-install,pre-upgrade', component);
  }
  assert.deepEqual(hookOf(hooked, 'migrations')!.spec.template.spec.containers[0].args, [
    'scripts/migrate.ts',
  ]);
  const plain = byKind(await render({ setJson: ['migrations.hook=false'] }), 'Job');
  const job = hookOf(plain, 'migrations');
  assert.equal(job?.metadata.annotations?.['helm.sh/hook'], undefined);
  // A new image is a new Job (a Job's template cannot be patched).
  const other = byKind(
    await render({ setJson: ['migrations.hook=false', 'image.tag="0.2.0"'] }),
    'Job',
  );
  assert.notEqual(hookOf(other, 'migrations')!.metadata.name, job!.metadata.name);
  const none = byKind(
    await render({
      setJson: ['migrations.enabled=false', 'temporal.registerSearchAttributes=false'],
    }),
    'Job',
  );
  assert.deepEqual(
    none.map((j) => j.metadata.labels['app.kubernetes.io/component']),
    ['smoke-test'],
  );
});

test('helm test is a Job that creates a task through the api and reads it back', async () => {
  const jobs = byKind(await render(), 'Job').filter(
    (j) => j.metadata.annotations?.['helm.sh/hook'] === 'test',
  );
  assert.equal(jobs.length, 1);
  const [c] = jobs[0]!.spec.template.spec.containers;
  assert.deepEqual(c.args, ['scripts/smoke-task.ts']);
  assert.equal(
    c.env.find((e: { name: string }) => e.name === 'SMOKE_API_URL').value,
    'http://tickler-api:4000/graphql',
  );
});

test('the Dapr resources mirror the local stack, in the release namespace', async () => {
  const objects = await render({ values: ['helm/tickler/ci/production.yaml'] });
  const [config] = byKind(objects, 'Configuration');
  assert.equal(config!.spec.accessControl.defaultAction, 'deny');
  for (const p of config!.spec.accessControl.policies) {
    assert.equal(p.namespace, NAMESPACE);
    assert.equal(p.trustDomain, 'cluster.local');
  }
  // mTLS is the control plane's daprsystem setting; Dapr's CRD refuses a partial `mtls` here.
  assert.equal(config!.spec.mtls, undefined);
  assert.equal(config!.spec.tracing.otel.endpointAddress, 'otel-collector.observability.svc:4317');
  const components = Object.fromEntries(
    byKind(objects, 'Component').map((c) => [c.metadata.name, c]),
  );
  assert.deepEqual(Object.keys(components).sort(), [
    'pubsub',
    'pubsub-broadcast',
    'tickler-secrets',
  ]);
  assert.equal(components['tickler-secrets'].spec.type, 'secretstores.kubernetes');
  const meta = (name: string) =>
    Object.fromEntries(components[name].spec.metadata.map((m: { name: string }) => [m.name, m]));
  const pubsub = meta('pubsub');
  assert.deepEqual(pubsub.saslPassword.secretKeyRef, {
    name: 'tickler-kafka',
    key: 'sasl-password',
  });
  assert.deepEqual(pubsub.caCert.secretKeyRef, { name: 'tickler-kafka', key: 'ca.crt' });
  assert.equal(pubsub.disableTls.value, 'false');
  assert.equal(meta('pubsub-broadcast').saslUsername.secretKeyRef.name, 'tickler-kafka-broadcast');
  assert.equal(meta('pubsub-broadcast').consumerGroup.value, 'sync-{podName}');
  const subs = byKind(objects, 'Subscription').map(
    (s) => `${s.scopes[0]}:${s.spec.pubsubname}/${s.spec.topic}`,
  );
  assert.deepEqual(subs.sort(), [
    'audit-service:pubsub/dead-letters',
    'audit-service:pubsub/reminders',
    'audit-service:pubsub/task-events',
    'sync-service:pubsub-broadcast/reminders',
    'sync-service:pubsub-broadcast/task-events',
  ]);
  assert.equal(byKind(objects, 'Resiliency').length, 1);
});

test('Temporal Cloud: the worker gets TLS, and the API key from its Secret through the store', async () => {
  const objects = await render({ values: ['helm/tickler/ci/production.yaml'] });
  const worker = byKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'tickler-worker')!;
  assert.equal(worker.data.TEMPORAL_TLS, 'true');
  assert.equal(worker.data.TEMPORAL_ADDRESS, 'tickler-prod.a1b2c.tmprl.cloud:7233');
  // Read through the worker's sidecar at start-up, not put into its environment.
  assert.equal(worker.data.SECRET_REF_TEMPORAL_API_KEY, 'tickler-temporal/api-key');
  const env = deployment(objects, 'worker').spec.template.spec.containers[0].env;
  assert.equal(
    env.find((e: { name: string }) => e.name === 'TEMPORAL_API_KEY'),
    undefined,
  );
});

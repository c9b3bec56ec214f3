import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CI_VALUES,
  KUBE_VERSION,
  helmTemplate,
  parseManifests,
  run,
  schemaLocation,
  tool,
} from '../support/helm.js';

// Every rendered object, helm test's included, validated strictly (unknown fields refused)
// against the offline schemas of the Kubernetes version the chart targets. Dapr's kinds have no
// schema there; the real API server (test/k8s) checks them against Dapr's CRDs.

const DAPR_KINDS = ['Component', 'Configuration', 'Resiliency', 'Subscription'];

interface Summary {
  summary: { valid: number; invalid: number; errors: number; skipped: number };
  resources?: { kind: string; name: string; status: string; msg: string }[];
}

async function validate(values: string[]): Promise<void> {
  const manifests = await helmTemplate({ values });
  const objects = parseManifests(manifests);
  const r = await run(
    tool('kubeconform'),
    [
      '-strict',
      '-summary',
      '-output',
      'json',
      '-kubernetes-version',
      KUBE_VERSION,
      '-schema-location',
      schemaLocation(),
      '-skip',
      DAPR_KINDS.join(','),
      '-',
    ],
    manifests,
  );
  const report = JSON.parse(r.stdout) as Summary;
  const bad = (report.resources ?? []).filter(
    (x) => x.status !== 'statusValid' && x.status !== 'statusSkipped',
  );
  assert.deepEqual(bad, [], 'kubeconform refused objects');
  assert.equal(r.code, 0, r.stderr);
  const dapr = objects.filter((o) => DAPR_KINDS.includes(o.kind)).length;
  // Nothing but the Dapr kinds was skipped: a missing schema would be an error, not a skip.
  assert.equal(report.summary.skipped, dapr);
  assert.equal(report.summary.valid, objects.length - dapr);
  assert.ok(report.summary.valid > 30, `only ${report.summary.valid} objects validated`);
}

test('the default rendering is valid Kubernetes (strict, offline schemas)', () => validate([]));

for (const file of CI_VALUES)
  test(`the rendering with ${file} is valid Kubernetes (strict, offline schemas)`, () =>
    validate([file]));

test('kubeconform does refuse an unknown field (the check can fail)', async () => {
  const manifests = (await helmTemplate()).replace(
    'revisionHistoryLimit: 5',
    'revisionHistoryLimit: 5\n  revisionHistoryLimt: 5',
  );
  const r = await run(
    tool('kubeconform'),
    [
      '-strict',
      '-kubernetes-version',
      KUBE_VERSION,
      '-schema-location',
      schemaLocation(),
      '-skip',
      DAPR_KINDS.join(','),
      '-',
    ],
    manifests,
  );
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /revisionHistoryLimt/);
});

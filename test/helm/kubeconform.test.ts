import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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
// schema there; the real API server (test/k8s) checks them against Dapr's CRDs. One kubeconform
// run reads every rendering (most of its time is loading the schemas), plus one with a
// misspelt field that it must refuse.

const DAPR_KINDS = ['Component', 'Configuration', 'Resiliency', 'Subscription'];

interface Result {
  filename: string;
  kind: string;
  name: string;
  status: 'statusValid' | 'statusSkipped' | 'statusInvalid' | 'statusError' | 'statusEmpty';
  msg: string;
}

const dir = mkdtempSync(join(tmpdir(), 'tickler-chart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sets = [
  { label: 'the default values', file: join(dir, 'default.yaml'), values: [] as string[] },
  ...CI_VALUES.map((v, i) => ({ label: v, file: join(dir, `ci-${i}.yaml`), values: [v] })),
];
const broken = join(dir, 'broken.yaml');
const rendered = new Map<string, number>();
let results: Result[] = [];
let exitCode = -1;

before(async () => {
  for (const set of sets) {
    const text = await helmTemplate({ values: set.values });
    writeFileSync(set.file, text);
    rendered.set(set.file, parseManifests(text).length);
    if (set.values.length === 0)
      writeFileSync(
        broken,
        text.replace(
          'revisionHistoryLimit: 5',
          'revisionHistoryLimit: 5\n  revisionHistoryLimt: 5',
        ),
      );
  }
  const r = await run(tool('kubeconform'), [
    '-strict',
    '-verbose',
    '-output',
    'json',
    '-kubernetes-version',
    KUBE_VERSION,
    '-schema-location',
    schemaLocation(),
    '-skip',
    DAPR_KINDS.join(','),
    ...sets.map((s) => s.file),
    broken,
  ]);
  exitCode = r.code;
  results = (JSON.parse(r.stdout) as { resources: Result[] }).resources;
});

for (const set of sets)
  test(`the rendering with ${set.label} is valid Kubernetes (strict, offline schemas)`, () => {
    const mine = results.filter((x) => x.filename === set.file);
    const bad = mine.filter((x) => x.status !== 'statusValid' && x.status !== 'statusSkipped');
    assert.deepEqual(bad, [], 'kubeconform refused objects');
    // Every object was read; only the Dapr kinds were skipped (a missing schema is an error).
    assert.equal(mine.length, rendered.get(set.file));
    const skipped = mine.filter((x) => x.status === 'statusSkipped').map((x) => x.kind);
    assert.ok(
      skipped.every((k) => DAPR_KINDS.includes(k)),
      `skipped: ${skipped.join(', ')}`,
    );
    assert.ok(mine.length - skipped.length > 30, 'too few objects validated');
  });

test('kubeconform does refuse an unknown field (the check can fail)', () => {
  const refused = results.filter((x) => x.filename === broken && x.status === 'statusInvalid');
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.msg, /revisionHistoryLimt/);
  assert.notEqual(exitCode, 0);
});

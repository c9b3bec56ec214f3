import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHART, CI_VALUES, KUBE_VERSION, run, tool } from '../support/helm.js';
import { join } from 'node:path';
import { ROOT } from '../../stack/paths.js';

// helm lint --strict: template errors, warnings (strict makes them failures) and the values
// schema, with the defaults and with each production-like values file of helm/tickler/ci.

const lint = (values: string[]) =>
  run(tool('helm'), [
    'lint',
    CHART,
    '--strict',
    '--kube-version',
    KUBE_VERSION,
    ...values.flatMap((f) => ['--values', join(ROOT, f)]),
  ]);

test('helm lint --strict passes with the default values', async () => {
  const r = await lint([]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

for (const file of CI_VALUES)
  test(`helm lint --strict passes with ${file}`, async () => {
    const r = await lint([file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

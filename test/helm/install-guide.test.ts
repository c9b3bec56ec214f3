import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../stack/paths.js';
import { CHART, KUBE_VERSION, run, tool } from '../support/helm.js';

// The install guide (docs/operations.md) shows a values file for a managed Kafka and Temporal Cloud; this
// keeps it one the chart accepts (its schema refuses unknown keys) and renders completely
// (helm test's token, which a JWKS makes required, included).

function guideValues(): string {
  const guide = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
  const start = guide.indexOf('# my-values.yaml');
  assert.ok(start > 0, 'the install guide has no my-values.yaml block');
  const end = guide.indexOf('```', start);
  // The placeholders a reader fills in, filled in the way a reader would.
  return guide
    .slice(start, end)
    .replaceAll('<owner>', 'example')
    .replaceAll('<namespace>', 'tickler-prod')
    .replaceAll('<account>', 'a1b2c');
}

test("the install guide's values pass helm lint --strict and render", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickler-guide-values-'));
  try {
    const file = join(dir, 'my-values.yaml');
    writeFileSync(file, guideValues());
    const common = ['--kube-version', KUBE_VERSION, '--values', file];
    const lint = await run(tool('helm'), ['lint', CHART, '--strict', ...common]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    const rendered = await run(tool('helm'), [
      'template',
      'tickler',
      CHART,
      '-n',
      'tickler',
      ...common,
    ]);
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.match(rendered.stdout, /tickler-prod\.a1b2c\.tmprl\.cloud:7233/);
    assert.match(rendered.stdout, /SECRET_REF_TEMPORAL_API_KEY: "tickler-temporal\/api-key"/);
    assert.match(rendered.stdout, /name: tickler-smoke-token/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

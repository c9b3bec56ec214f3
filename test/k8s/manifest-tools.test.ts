import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { toolsDir } from '../../stack/paths.js';

// The provisioned helm and kubeconform, as the chart's tests call them: helm templates for the
// Kubernetes version the test cluster runs, and kubeconform validates strictly and offline.

const run = promisify(execFile);
const tools = toolsDir();
const helm = join(tools, 'bin/helm');
const kubeconform = join(tools, 'bin/kubeconform');
const schemaLocation = join(
  tools,
  'kubernetes-schemas/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json',
);

const dir = mkdtempSync(join(tmpdir(), 'tickler-manifests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function validate(file: string) {
  return run(kubeconform, [
    '-strict',
    '-summary',
    '-output=json',
    '-kubernetes-version=1.36.0',
    `-schema-location=${schemaLocation}`,
    file,
  ]);
}

function deployment(extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'example.invalid/web:1', ...extra }] },
      },
    },
  };
}

describe('manifest tools', () => {
  test('helm is v3.22.0 and templates for Kubernetes 1.36', async () => {
    const { stdout } = await run(helm, ['version', '--short']);
    assert.match(stdout, /^v3\.22\.0/);
    const chart = join(dir, 'probe');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
    writeFileSync(
      join(chart, 'templates/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n',
    );
    const rendered = await run(helm, ['template', 'probe', chart]);
    assert.match(rendered.stdout, /kube: "v1\.36\.\d+"/);
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, rendered.stdout);
    const { stdout: report } = await validate(file);
    assert.equal((JSON.parse(report) as { summary: { valid: number } }).summary.valid, 1);
  });

  test('kubeconform accepts a valid Deployment and rejects an unknown field offline', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(deployment({ imagePullPolicy: 'Always' })));
    await validate(good);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(deployment({ imagePullPolice: 'Always' })));
    await assert.rejects(validate(bad), (err: Error & { stdout?: string }) =>
      /imagePullPolice/.test(err.stdout ?? ''),
    );
  });
});

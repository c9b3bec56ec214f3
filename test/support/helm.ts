import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT, toolsDir } from '../../stack/paths.js';

// The chart tests call the tools stack/provision.sh builds, by path: a missing one means
// provisioning is broken, and the test says so instead of skipping.

export const CHART = join(ROOT, 'helm/tickler');
/** The Kubernetes version the chart is rendered for and validated against. */
export const KUBE_VERSION = '1.36.0';
export const RELEASE = 'tickler';
export const NAMESPACE = 'tickler-test';

export function tool(name: 'helm' | 'kubeconform'): string {
  const path = join(toolsDir(), 'bin', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run bash stack/provision.sh`);
  return path;
}

/** The offline, strict JSON schemas kubeconform reads (stack/provision/kubeconform.sh). */
export function schemaLocation(): string {
  const dir = join(toolsDir(), 'kubernetes-schemas', `v${KUBE_VERSION}-standalone-strict`);
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run bash stack/provision.sh`);
  return join(
    toolsDir(),
    'kubernetes-schemas/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json',
  );
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, HELM_NO_PLUGINS: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface TemplateOptions {
  /** Values files, relative to the repository. */
  values?: string[];
  /** --set-json pairs (path=json). */
  setJson?: string[];
}

const templateArgs = (o: TemplateOptions): string[] => [
  'template',
  RELEASE,
  CHART,
  '--namespace',
  NAMESPACE,
  '--kube-version',
  KUBE_VERSION,
  ...(o.values ?? []).flatMap((f) => ['--values', join(ROOT, f)]),
  ...(o.setJson ?? []).flatMap((s) => ['--set-json', s]),
];

/** `helm template`, answered as is (a refusal is a result too). */
export const helmTemplateRun = (o: TemplateOptions = {}): Promise<Run> =>
  run(tool('helm'), templateArgs(o));

/** `helm template` that must succeed: the manifests' text. */
export async function helmTemplate(o: TemplateOptions = {}): Promise<string> {
  const r = await helmTemplateRun(o);
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML: the tests read paths they know */
/** A rendered Kubernetes object, loosely typed. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: any;
  spec?: any;
  [k: string]: any;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export const render = async (o: TemplateOptions = {}): Promise<K8sObject[]> =>
  parseManifests(await helmTemplate(o));

/**
 * The values files the chart is linted and validated with besides its defaults: the
 * production-like ones of helm/tickler/ci and the environments scripts/helm-deploy.sh deploys.
 */
export const CI_VALUES = ['helm/tickler/ci', 'helm/environments'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `${dir}/${f}`),
);

import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createProcessGroup, type Managed } from './processes.js';
import { freePorts } from './ports.js';
import { toolsDir } from './paths.js';
import { waitFor } from './wait.js';

// A throwaway Kubernetes control plane for the chart tests: etcd, kube-apiserver (static admin
// token, RBAC, a self-signed serving certificate), kube-controller-manager, kube-scheduler and
// kwok with one fake Node, on free loopback ports, with the Dapr CRDs installed. No kubelet runs:
// the API server stores and validates objects, the controllers create pods, and kwok marks them
// Running (containers never start). Built by stack/provision/{etcd,kubernetes,kwok,dapr-crds}.sh.

const run = promisify(execFile);

/** The fake node's name; kwok manages only nodes carrying KWOK_ANNOTATION. */
export const FAKE_NODE = 'kwok-node-0';
const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

export interface KubeCluster {
  /** A kubeconfig for the cluster admin (system:masters), for kubectl and helm. */
  kubeconfig: string;
  server: string;
  token: string;
  /** Throwaway state: etcd data, certificates, keys, logs. */
  dir: string;
  logs: string;
  /** Seconds from the first process started to the fake node Ready and the Dapr CRDs served. */
  startSeconds: number;
  /** A call to the API server as the admin; JSON in, JSON (or text) out; never throws on status. */
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<KubeResponse<T>>;
  /** Runs $TOOLS/bin/kubectl against the cluster; rejects on a non-zero exit. */
  kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export interface KubeClusterOptions {
  tools?: string;
  /** A line per step, for progress. */
  log?: (line: string) => void;
  /** Keep the state folder after stop (for reading logs). */
  keep?: boolean;
}

function binary(tools: string, name: string): string {
  const path = join(tools, 'bin', name);
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: run 'bash stack/provision.sh' (it builds the Kubernetes tools)`,
    );
  return path;
}

/** A self-signed serving certificate for 127.0.0.1 (node:crypto makes keys, not certificates). */
async function servingCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'apiserver.crt');
  const key = join(dir, 'apiserver.key');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=kube-apiserver',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'tickler-test',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'tickler-test', context: { cluster: 'tickler-test', user: 'admin' } }],
    'current-context': 'tickler-test',
  });
}

export async function startKubeCluster(options: KubeClusterOptions = {}): Promise<KubeCluster> {
  const tools = options.tools ?? toolsDir();
  const log = options.log ?? (() => {});
  const bins = {
    etcd: binary(tools, 'etcd'),
    apiserver: binary(tools, 'kube-apiserver'),
    controllerManager: binary(tools, 'kube-controller-manager'),
    scheduler: binary(tools, 'kube-scheduler'),
    kubectl: binary(tools, 'kubectl'),
    kwok: binary(tools, 'kwok'),
  };
  const stages = join(tools, 'kwok/stages-fast.yaml');
  const crds = join(tools, 'dapr-crds');
  for (const p of [stages, crds])
    if (!existsSync(p)) throw new Error(`${p} is missing: run 'bash stack/provision.sh'`);

  const dir = mkdtempSync(join(tmpdir(), 'tickler-kube-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const crashes: string[] = [];
  const group = createProcessGroup(logs, (m: Managed, how: string) =>
    crashes.push(`${m.name} stopped (${how}); see ${m.logFile}`),
  );
  const crashed = () => crashes[0];
  const onExit = () => group.killAll();
  // stop() (defined below, before any signal can arrive) also removes the state folder.
  const onSignal = (signal: NodeJS.Signals) => {
    void stop().then(() => process.kill(process.pid, signal));
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // One stop however many ask (a signal, then the caller's own cleanup): each waits for it to end.
  // The exit handler stays until the processes are gone, so a process.exit() meanwhile still
  // kills them instead of leaving etcd and the API server running.
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await group.stopAll();
      process.off('exit', onExit);
      if (!options.keep) rmSync(dir, { recursive: true, force: true });
    })());

  try {
    const t0 = Date.now();
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const token = randomBytes(24).toString('base64url');
    const { cert, key } = await servingCertificate(dir);
    const caPem = readFileSync(cert, 'utf8');
    // The service-account signing pair (PKCS#8 and SPKI PEM, both accepted by the API server).
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, caPem, token), { mode: 0o600 });

    const api = <T>(
      method: string,
      path: string,
      body?: unknown,
      contentType = 'application/json',
    ) =>
      new Promise<KubeResponse<T>>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${server}${path}`,
          {
            method,
            ca: caPem,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(payload ? { 'content-type': contentType } : {}),
            },
            timeout: 10_000,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // /readyz and friends answer in plain text
              }
              resolve({ status: res.statusCode ?? 0, body: parsed as T });
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
        req.on('error', reject);
        req.end(payload);
      });
    const kubectl = (...args: string[]) =>
      run(bins.kubectl, ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 16 << 20 });

    log('kube: starting etcd');
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    group.start({
      name: 'etcd',
      command: bins.etcd,
      args: [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        // Throwaway data: durability is worth nothing here, start-up and write speed are.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    });
    await waitFor('etcd', async () => (await fetch(`${etcdUrl}/health`)).ok, {
      timeoutMs: 30_000,
      failed: crashed,
    });

    log('kube: starting kube-apiserver');
    group.start({
      name: 'kube-apiserver',
      command: bins.apiserver,
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${cert}`,
        `--tls-private-key-file=${key}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        // The `kubernetes` Service cannot point at a loopback address; nothing here needs it.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
      ],
    });
    await waitFor('kube-apiserver', async () => (await api('GET', '/readyz')).status === 200, {
      timeoutMs: 90_000,
      intervalMs: 300,
      failed: crashed,
    });

    const componentArgs = [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      // No serving port: nothing scrapes them, and two clusters at once would collide.
      '--secure-port=0',
    ];
    log('kube: starting kube-controller-manager, kube-scheduler and kwok');
    group.start({
      name: 'kube-controller-manager',
      command: bins.controllerManager,
      // nodeipam wants a cluster CIDR to hand out; kwok gives pods their IPs.
      args: [
        ...componentArgs,
        '--controllers=*,-nodeipam',
        `--service-account-private-key-file=${join(dir, 'sa.key')}`,
        `--root-ca-file=${cert}`,
      ],
    });
    group.start({ name: 'kube-scheduler', command: bins.scheduler, args: componentArgs });
    group.start({
      name: 'kwok',
      command: bins.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${stages}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
        '--cidr=10.244.0.1/16',
        '--node-ip=127.0.0.1',
        // The node's heartbeat: kwok renews a Lease in kube-node-lease, as a kubelet does. The
        // binary's default is no lease, and the fast stages never refresh the node's status, so
        // the node lifecycle controller marked the node NotReady 50 s after it started (and its
        // pods not Ready, which stalled a `helm upgrade --wait`).
        '--node-lease-duration-seconds=40',
      ],
    });

    const created = await api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: FAKE_NODE,
        annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          type: 'kwok',
          'kubernetes.io/hostname': FAKE_NODE,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
        },
      },
      // Nodes take their status on create: the scheduler needs room for the chart's pods.
      status: {
        capacity: { cpu: '32', memory: '128Gi', pods: '110' },
        allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
      },
    });
    if (created.status !== 201)
      throw new Error(`creating the fake node: ${created.status} ${JSON.stringify(created.body)}`);

    log('kube: installing the Dapr CRDs');
    // Server-side apply: the CRDs are too large for client-side apply's last-applied annotation.
    await kubectl('apply', '--server-side', '-f', crds);
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');

    await waitFor(
      `node ${FAKE_NODE} Ready`,
      async () => {
        const node = await api<{ status?: { conditions?: { type: string; status: string }[] } }>(
          'GET',
          `/api/v1/nodes/${FAKE_NODE}`,
        );
        return !!node.body.status?.conditions?.some(
          (c) => c.type === 'Ready' && c.status === 'True',
        );
      },
      { timeoutMs: 60_000, failed: crashed },
    );
    // Pods need the namespace's default ServiceAccount, which the controller-manager creates.
    await waitFor(
      'the default ServiceAccount',
      async () =>
        (await api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      { timeoutMs: 60_000, failed: crashed },
    );
    const startSeconds = (Date.now() - t0) / 1000;
    log(`kube: cluster up in ${startSeconds.toFixed(1)} s (${server}, kubeconfig ${kubeconfig})`);
    return { kubeconfig, server, token, dir, logs, startSeconds, api, kubectl, stop };
  } catch (err) {
    const keep = options.keep;
    options.keep = true; // a failed start keeps its logs for reading
    await stop();
    options.keep = keep;
    throw new Error(`${(err as Error).message} (logs in ${logs})`, { cause: err });
  }
}

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { migrate } from '../db/migrate.js';
import { createSql } from '../db/sql.js';
import { OWNER_ROLE, SERVICE_ROLES, stackCredentials, type ServiceRole } from './credentials.js';
import { writeLocalDaprConfig } from './dapr-config.js';
import { sidecarTokenEnv, stackDaprTokens } from './dapr-tokens.js';
import { sidecarMtls } from './sentry.js';
import { APP_IDS, isListening, type AppId, type StackPorts } from './ports.js';
import {
  secretEnv,
  secretsFile,
  stackSecrets,
  writeSecretFiles,
  type StackSecrets,
} from './secret-store.js';
import type { ProcessGroup } from './processes.js';
import { postgresDataDir } from './paths.js';
import { startTemporalServer } from './temporal-server.js';
import { httpOk, waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

// How each real component of the local stack is started and judged ready. Shared by the run
// command (stack/dev.ts) and the test command (stack/test.ts), which differ only in ports and
// where their state lives.

export interface StackPaths {
  root: string;
  tools: string;
  state: string;
  logs: string;
}

export interface ComponentContext {
  paths: StackPaths;
  ports: StackPorts;
  group: ProcessGroup;
  /** Tests trade durability for speed (fsync off, in-memory Temporal). */
  ephemeral: boolean;
  /** Temporal's SQLite on disk even when ephemeral (benchmarks with many open workflows). */
  temporalOnDisk?: boolean;
  /**
   * Which Temporal: the CLI's dev server on SQLite (the default), or the Temporal server on
   * this stack's PostgreSQL (stack/temporal-server.ts), the production shape of persistence.
   */
  temporal?: TemporalKind;
  log: (line: string) => void;
  /** Set when a process died during start-up, so waits fail fast with its log's tail. */
  failure: () => string | undefined;
  /** Extra node flags per service, e.g. `--cpu-prof` for a benchmark's profile. */
  nodeArgs?: Partial<Record<AppId, string[]>>;
}

export type TemporalKind = 'dev-server' | 'postgres';

const PG_BIN = '/usr/lib/postgresql/15/bin';
export const DATABASE = 'tickler';

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The URL a role logs in with over TCP (password required); the owner's by default. */
export function databaseUrl(
  { paths, ports }: Pick<ComponentContext, 'paths' | 'ports'>,
  role: typeof OWNER_ROLE | ServiceRole = OWNER_ROLE,
): string {
  const password = stackCredentials(paths.state).postgres[role];
  return `postgres://${role}:${password}@127.0.0.1:${ports.postgres}/${DATABASE}`;
}

// Passwords on every TCP connection, so a service cannot simply log in as another role (or the
// owner). Only the owner may use the Unix socket, which sits in the data folder (mode 0700):
// that is how the stack sets the passwords. Written at every start, so an older trust-only
// cluster in .state is brought along.
const PG_HBA = [
  '# Written by the Tickler stack at every start (stack/components.ts).',
  `local all ${OWNER_ROLE} trust`,
  'host all all 127.0.0.1/32 scram-sha-256',
  '',
].join('\n');

const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export async function startPostgres(ctx: ComponentContext): Promise<void> {
  const dataDir = postgresDataDir(ctx.paths.state);
  const owner = postgresUser();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    ctx.log('postgres: creating a cluster in ' + dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    execFileSync(
      `${PG_BIN}/initdb`,
      ['-D', dataDir, '-U', 'tickler', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(owner ?? {}),
      },
    );
  }
  writeFileSync(join(dataDir, 'pg_hba.conf'), PG_HBA, { mode: 0o600 });
  if (owner) chownSync(join(dataDir, 'pg_hba.conf'), owner.uid, owner.gid);
  const durability = ctx.ephemeral
    ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
    : [];
  ctx.group.start({
    name: 'postgres',
    command: `${PG_BIN}/postgres`,
    args: [
      '-D',
      dataDir,
      '-p',
      String(ctx.ports.postgres),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      // The Temporal server's pools add up to 120 connections (stack/temporal-server-config.ts).
      `max_connections=${ctx.temporal === 'postgres' ? 320 : 200}`,
      ...durability,
    ],
    ...(owner ?? {}),
  });
  const admin = postgres({
    host: dataDir, // the Unix socket: the owner's way in before it has a password
    port: ctx.ports.postgres,
    user: OWNER_ROLE,
    database: 'postgres',
    max: 1,
    onnotice: () => {},
    connect_timeout: 2,
  });
  try {
    await waitFor('postgres', async () => (await admin`SELECT 1`).length === 1, {
      failed: ctx.failure,
    });
    const { postgres: passwords } = stackCredentials(ctx.paths.state);
    await admin.unsafe(`ALTER ROLE ${OWNER_ROLE} PASSWORD ${sqlLiteral(passwords[OWNER_ROLE])}`);
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${DATABASE}`;
    if (!exists) await admin.unsafe(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
}

/**
 * PostgreSQL with the schema migrated: what every other component expects to find. The
 * migrations create each service's role NOLOGIN; here each gets LOGIN and this stack's password.
 */
export async function startDatabase(ctx: ComponentContext): Promise<void> {
  await startPostgres(ctx);
  const sql = createSql(databaseUrl(ctx), { applicationName: 'tickler-migrate', max: 1 });
  try {
    await migrate(sql, undefined, (line) => ctx.log(`    ${line}`));
    const { postgres: passwords } = stackCredentials(ctx.paths.state);
    for (const role of Object.values(SERVICE_ROLES))
      await sql.unsafe(`ALTER ROLE ${role} LOGIN PASSWORD ${sqlLiteral(passwords[role])}`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Temporal: the dev server, or with `temporal: 'postgres'` the server on the stack's PostgreSQL
 * (which must be up by then). */
export async function startTemporal(ctx: ComponentContext): Promise<void> {
  if (ctx.temporal === 'postgres') return startTemporalServer(ctx);
  const attrs = JSON.parse(
    readFileSync(join(ctx.paths.root, 'temporal/search-attributes.json'), 'utf8'),
  ) as Record<string, string>;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(ctx.ports.temporal),
    '--ui-port',
    String(ctx.ports.temporalUi),
    '--http-port',
    String(ctx.ports.temporalHttp),
    '--metrics-port',
    String(ctx.ports.temporalMetrics),
    '--namespace',
    'default',
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
  ];
  for (const [name, type] of Object.entries(attrs))
    args.push('--search-attribute', `${name}=${type}`);
  if (ctx.ephemeral) args.push('--headless');
  // Ephemeral: SQLite in memory, unless asked for on disk — the in-memory database keeps every
  // workflow in RAM (it passed 20 GB near 100,000 open ones; bench:reminders-open).
  // On disk, reminders and series survive a restart; WAL with synchronous=OFF is much faster
  // and only risks the last moments on a machine crash, acceptable for development.
  if (!ctx.ephemeral || ctx.temporalOnDisk)
    args.push(
      '--db-filename',
      join(ctx.paths.state, 'temporal.db'),
      '--sqlite-pragma',
      'journal_mode=WAL',
      '--sqlite-pragma',
      'synchronous=OFF',
    );
  ctx.group.start({ name: 'temporal', command: join(ctx.paths.tools, 'bin/temporal'), args });
  await waitFor('temporal', () => isListening(ctx.ports.temporal), { failed: ctx.failure });
}

/** Kafka's SASL mechanism: SCRAM never sends the password, which matters without TLS. */
export const KAFKA_SASL_MECHANISM = 'SCRAM-SHA-512';

/** What a sidecar needs to reach Kafka as its app's user (dapr/components/pubsub*.yaml). */
export function kafkaSidecarEnv(ctx: ComponentContext, appId: AppId): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ctx.ports.kafka}`,
    KAFKA_SASL_USERNAME: appId,
    KAFKA_SASL_PASSWORD: stackCredentials(ctx.paths.state).kafka[appId],
  };
}

export async function startKafka(ctx: ComponentContext): Promise<void> {
  const dir = join(ctx.paths.state, 'kafka');
  mkdirSync(dir, { recursive: true });
  const props = join(dir, 'server.properties');
  const { kafka: users } = stackCredentials(ctx.paths.state);
  // Clients authenticate with SASL/SCRAM on the one listener they can reach; the broker talks to
  // itself there too, as the user `broker`. The controller listener stays PLAINTEXT: only this
  // process uses it, on loopback. The file holds the broker's password: owner-only.
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${ctx.ports.kafkaController}`,
      `listeners=CLIENT://127.0.0.1:${ctx.ports.kafka},CONTROLLER://127.0.0.1:${ctx.ports.kafkaController}`,
      `advertised.listeners=CLIENT://127.0.0.1:${ctx.ports.kafka}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=CLIENT',
      'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      `sasl.enabled.mechanisms=${KAFKA_SASL_MECHANISM}`,
      `sasl.mechanism.inter.broker.protocol=${KAFKA_SASL_MECHANISM}`,
      `listener.name.client.${KAFKA_SASL_MECHANISM.toLowerCase()}.sasl.jaas.config=` +
        'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
        `username="broker" password="${users.broker}";`,
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=true',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const classpath = join(ctx.paths.tools, 'kafka/libs/*');
  const jvm = [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j2.configurationFile=${join(ctx.paths.root, 'stack/kafka/log4j2.properties')}`,
    '-cp',
    classpath,
  ];
  // SCRAM credentials live in the metadata log, written when it is formatted (KIP-900): a log
  // formatted for other credentials (or none: a stack from before SASL) is formatted again.
  const usersStamp = join(dir, 'scram-users.sha256');
  const stamp = createHash('sha256').update(JSON.stringify(users)).digest('hex');
  const formatted = existsSync(join(dir, 'data/meta.properties'));
  if (formatted && (!existsSync(usersStamp) || readFileSync(usersStamp, 'utf8') !== stamp)) {
    ctx.log('kafka: its data was formatted for other SASL credentials; starting it empty');
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  }
  if (!existsSync(join(dir, 'data/meta.properties'))) {
    // Kafka's own ids never start with '-' (its tool would read one as an option); nor do ours.
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    const scram = Object.entries(users).flatMap(([name, password]) => [
      '--add-scram',
      `${KAFKA_SASL_MECHANISM}=[name=${name},password=${password}]`,
    ]);
    execFileSync(
      'java',
      [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props, ...scram],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    writeFileSync(usersStamp, stamp, { mode: 0o600 });
  }
  ctx.group.start({ name: 'kafka', command: 'java', args: [...jvm, 'kafka.Kafka', props] });
  await waitFor('kafka', () => isListening(ctx.ports.kafka), {
    failed: ctx.failure,
    timeoutMs: 90_000,
  });
}

const appPorts = (ports: StackPorts): Record<AppId, number | undefined> => ({
  api: undefined, // calls out only
  worker: undefined, // publishes only
  // The sync-service's internal listener: its public port carries only the WebSocket.
  'sync-service': ports.syncInternal,
  'audit-service': ports.audit,
});

/** `name` tells a second instance of an app apart (its process and log file). */
export async function startSidecar(
  ctx: ComponentContext,
  appId: AppId,
  name: string = appId,
): Promise<void> {
  const p = ctx.ports.dapr[appId];
  const appPort = appPorts(ctx.ports)[appId];
  const mtls = sidecarMtls(ctx);
  ctx.group.start({
    name: `dapr-${name}`,
    command: join(ctx.paths.tools, 'bin/daprd'),
    args: [
      '--mode',
      'standalone',
      '--app-id',
      appId,
      ...(appPort ? ['--app-port', String(appPort), '--app-protocol', 'http'] : []),
      '--dapr-listen-addresses',
      '127.0.0.1',
      '--dapr-http-port',
      String(p.http),
      '--dapr-grpc-port',
      String(p.grpc),
      '--dapr-internal-grpc-port',
      String(p.internal),
      '--metrics-port',
      String(p.metrics),
      '--resources-path',
      join(ctx.paths.root, 'dapr/components'),
      '--resources-path',
      join(ctx.paths.root, 'dapr/subscriptions'),
      '--config',
      writeLocalDaprConfig(ctx.paths.root, ctx.paths.state),
      '--log-level',
      'warn',
      ...mtls.args,
    ],
    env: {
      ...mtls.env,
      // The address the sidecar registers for service invocation: loopback, like everything else.
      DAPR_HOST_IP: '127.0.0.1',
      ...kafkaSidecarEnv(ctx, appId),
      // Its app's file of the local secret store (dapr/components/secretstore.yaml), no other.
      TICKLER_SECRETS_FILE: secretsFile(ctx.paths.state, appId),
      // One Kafka consumer group per sync-service instance (dapr/components/pubsub-broadcast.yaml).
      POD_NAME: `${appId}-${appPort ?? p.http}`,
      // Required on the sidecar's API (except healthz), sent to the app on every call.
      ...sidecarTokenEnv(stackDaprTokens(ctx.paths.state)),
    },
  });
  await waitFor(
    `dapr sidecar of ${appId}`,
    () => httpOk(`http://127.0.0.1:${p.http}/v1.0/healthz/outbound`),
    { failed: ctx.failure },
  );
}

export interface ServiceEnv {
  jwtSecret: string;
  /**
   * Where the app reads its secrets: its sidecar's secret store (stack/secret-store.ts), or
   * its environment, for an app started without a sidecar (bench:api).
   */
  secretsFrom?: 'store' | 'env';
}

/** The stack's secrets; each service logs in as its own role (migration 0011), sync has none. */
const secretsOf = (ctx: ComponentContext, jwtSecret: string): StackSecrets =>
  stackSecrets(ctx.paths.state, jwtSecret, (appId) => databaseUrl(ctx, SERVICE_ROLES[appId]));

/** Every app's file of the local secret store: before the sidecars start (they read it once). */
export const writeStackSecretFiles = (ctx: ComponentContext, jwtSecret: string): void =>
  writeSecretFiles(ctx.paths.state, APP_IDS, secretsOf(ctx, jwtSecret));

// Local stacks only: webhooks may use http (development); only the throwaway test and benchmark
// stacks may reach loopback (the tests' receiver). A dev stack refuses loopback like a
// deployment, which leaves both unset: https to public addresses only.
const localWebhooks = (ctx: ComponentContext) => ({
  WEBHOOK_ALLOW_HTTP: 'true',
  ...(ctx.ephemeral ? { WEBHOOK_ALLOW_LOOPBACK: 'true' } : {}),
});

export function serviceEnv(
  ctx: ComponentContext,
  appId: AppId,
  env: ServiceEnv,
): NodeJS.ProcessEnv {
  const tokens = stackDaprTokens(ctx.paths.state);
  const base = {
    ...secretEnv(appId, secretsOf(ctx, env.jwtSecret), env.secretsFrom),
    DAPR_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(ctx.ports.dapr[appId].http),
    LOG_LEVEL: 'info',
    DAPR_API_TOKEN: tokens.daprApiToken,
  };
  switch (appId) {
    case 'api':
      return {
        ...base,
        ...localWebhooks(ctx),
        PORT: String(ctx.ports.api),
        // Benchmarks and the test suite drive one user far harder than a person would; the
        // limiter is tested with its own small limits (test/security/rate-limit.test.ts).
        RATE_LIMIT_PER_SECOND: '1000',
        RATE_LIMIT_BURST: '2000',
      };
    case 'worker':
      return {
        ...base,
        ...localWebhooks(ctx),
        TEMPORAL_ADDRESS: `127.0.0.1:${ctx.ports.temporal}`,
        HEALTH_PORT: String(ctx.ports.workerHealth),
        WORKFLOW_BUNDLE: workflowBundlePath(ctx),
        // A capped heap is collected before it grows: the worker's memory stays flat however
        // many workflows it runs (measured with bench:reminders-open).
        NODE_OPTIONS: '--max-old-space-size=256',
      };
    case 'sync-service':
      return {
        ...base,
        PORT: String(ctx.ports.sync),
        INTERNAL_PORT: String(ctx.ports.syncInternal),
      };
    case 'audit-service':
      return { ...base, PORT: String(ctx.ports.audit) };
  }
}

export const healthPort = (ports: StackPorts, appId: AppId): number =>
  ({
    api: ports.api,
    worker: ports.workerHealth,
    'sync-service': ports.sync,
    'audit-service': ports.audit,
  })[appId];

export const workflowBundlePath = (ctx: ComponentContext): string =>
  join(ctx.paths.state, 'workflow-bundle.js');

/** Bundles the workflow code for the worker in a process of its own (webpack is heavy). */
export async function bundleWorkflows(ctx: ComponentContext): Promise<void> {
  await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ctx.paths.root, 'scripts/bundle-workflows.ts'),
      workflowBundlePath(ctx),
    ],
    { cwd: ctx.paths.root },
  ).catch((err: Error & { stderr?: string }) => {
    throw new Error(`bundling the workflow code failed: ${err.stderr || err.message}`);
  });
}

export async function startService(
  ctx: ComponentContext,
  appId: AppId,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 90_000,
  name: string = appId,
): Promise<void> {
  ctx.group.start({
    name,
    command: process.execPath,
    args: [
      '--enable-source-maps',
      ...(ctx.nodeArgs?.[appId] ?? []),
      '--import',
      'tsx',
      join(ctx.paths.root, appId, 'main.ts'),
    ],
    cwd: ctx.paths.root,
    env,
  });
  await waitFor(appId, () => httpOk(`http://127.0.0.1:${healthPort(ctx.ports, appId)}/readyz`), {
    failed: ctx.failure,
    timeoutMs: readyTimeoutMs,
  });
}

/** Where one sync-service instance listens: its two ports and its own sidecar's ports. */
export interface SyncInstancePorts {
  sync: number;
  /** Its internal listener (the sidecar's app port). */
  internal: number;
  dapr: StackPorts['dapr']['sync-service'];
}

/**
 * One sync-service instance with its own sidecar, named after its port like its POD_NAME: on
 * the same ports it is the same replica again (same Kafka consumer group, same log files).
 * `withSidecar: false` starts only the app, for an instance whose sidecar kept running.
 */
export async function startSyncInstance(
  ctx: ComponentContext,
  at: SyncInstancePorts,
  env: ServiceEnv,
  { withSidecar = true, name = `sync-service-${at.sync}` } = {},
): Promise<void> {
  const own: ComponentContext = {
    ...ctx,
    ports: {
      ...ctx.ports,
      sync: at.sync,
      syncInternal: at.internal,
      dapr: { ...ctx.ports.dapr, 'sync-service': at.dapr },
    },
  };
  if (withSidecar) await startSidecar(own, 'sync-service', name);
  await startService(own, 'sync-service', serviceEnv(own, 'sync-service', env), undefined, name);
}

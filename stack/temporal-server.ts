import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { stringify } from 'yaml';
import { encodedSearchAttributes } from '../platform/search-attributes.js';
import type { ComponentContext } from './components.js';
import { OWNER_ROLE } from './credentials.js';
import { postgresDataDir } from './paths.js';
import { freePortsBelow, isListening } from './ports.js';
import {
  NUM_HISTORY_SHARDS,
  TEMPORAL_DATABASE,
  TEMPORAL_ROLE,
  TEMPORAL_VISIBILITY_DATABASE,
  temporalDynamicConfig,
  temporalServerConfig,
  type TemporalServerPorts,
} from './temporal-server-config.js';
import { waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

// The Temporal server itself (go.temporal.io/server, built by stack/provision/temporal-server.sh)
// on the stack's own PostgreSQL cluster: a role and two databases of its own, the schemas its
// own tool creates from the files its release ships, one process running the four services on
// loopback. The benchmarks' `--temporal postgres`; the dev server stays the default everywhere.

/** What the version of stack/provision/temporal-server.sh builds (for the benchmarks' first line). */
export const TEMPORAL_SERVER_VERSION = '1.32.1';
const PROVISION = 'stack/provision/temporal-server.sh';

export const temporalServerBinary = (tools: string): string => join(tools, 'bin/temporal-server');
const sqlToolBinary = (tools: string): string => join(tools, 'bin/temporal-sql-tool');
const schemaDir = (tools: string, store: 'temporal' | 'visibility'): string =>
  join(tools, 'temporal-server/schema/postgresql/v12', store, 'versioned');

/** True when provisioning has built the server, its schema tool and copied the schemas. */
export const temporalServerProvisioned = (tools: string): boolean =>
  [temporalServerBinary(tools), sqlToolBinary(tools), schemaDir(tools, 'temporal')].every((p) =>
    existsSync(p),
  );

/**
 * Builds the server when it is not built yet (minutes, once per machine; instant after), its
 * progress on this process's stderr. Not part of stack/provision.sh: only what asks for this
 * persistence pays for it.
 */
export async function provisionTemporalServer(root: string): Promise<void> {
  const child = spawn('bash', [join(root, PROVISION)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${PROVISION} failed (exit ${code}); its output is above`);
}

/** This stack's password for the `temporal` role, created on first use (mode 0600). */
function temporalPassword(dir: string): string {
  const file = join(dir, 'password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The role and its two databases, through the owner's Unix socket (the stack's way to set
 * passwords). Idempotent: a dev stack's cluster keeps them, and the password is set again.
 * Returns the databases whose schema is not set up yet.
 */
async function ensureDatabases(ctx: ComponentContext, password: string): Promise<string[]> {
  const socket = { host: postgresDataDir(ctx.paths.state), port: ctx.ports.postgres };
  const connect = (database: string) =>
    postgres({ ...socket, user: OWNER_ROLE, database, max: 1, onnotice: () => {} });
  const admin = connect('postgres');
  try {
    const [role] = await admin`SELECT 1 FROM pg_roles WHERE rolname = ${TEMPORAL_ROLE}`;
    if (!role) await admin.unsafe(`CREATE ROLE ${TEMPORAL_ROLE} LOGIN`);
    await admin.unsafe(`ALTER ROLE ${TEMPORAL_ROLE} PASSWORD ${sqlLiteral(password)}`);
    for (const db of [TEMPORAL_DATABASE, TEMPORAL_VISIBILITY_DATABASE]) {
      const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${db}`;
      if (!exists) await admin.unsafe(`CREATE DATABASE ${db} OWNER ${TEMPORAL_ROLE}`);
    }
  } finally {
    await admin.end({ timeout: 1 });
  }
  const fresh: string[] = [];
  for (const db of [TEMPORAL_DATABASE, TEMPORAL_VISIBILITY_DATABASE]) {
    const sql = connect(db);
    try {
      const [row] = await sql<{ versioned: boolean }[]>`
        SELECT to_regclass('schema_version') IS NOT NULL AS versioned`;
      if (!row?.versioned) fresh.push(db);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  return fresh;
}

/**
 * Schemas by the server's own tool, from the release's versioned folders: a new database gets
 * the empty versioned schema, then every database is brought to the release's version (a no-op
 * when it is there already).
 */
async function setUpSchemas(ctx: ComponentContext, password: string, fresh: string[]) {
  const tool = sqlToolBinary(ctx.paths.tools);
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(ctx.ports.postgres),
    SQL_USER: TEMPORAL_ROLE,
    SQL_PASSWORD: password, // in the environment, not on a command line others can read
  };
  const run = (db: string, ...args: string[]) =>
    execFileAsync(tool, ['--quiet', '--db', db, ...args], { env }).catch(
      (err: Error & { stderr?: string; stdout?: string }) => {
        throw new Error(
          `temporal-sql-tool ${args[0]} on ${db} failed: ${err.stderr || err.stdout || err.message}`,
        );
      },
    );
  const stores = [
    [TEMPORAL_DATABASE, schemaDir(ctx.paths.tools, 'temporal')],
    [TEMPORAL_VISIBILITY_DATABASE, schemaDir(ctx.paths.tools, 'visibility')],
  ] as const;
  await Promise.all(
    stores.map(async ([db, dir]) => {
      if (fresh.includes(db)) await run(db, 'setup-schema', '--version', '0.0');
      await run(db, 'update-schema', '--schema-dir', dir);
    }),
  );
}

const ALREADY_EXISTS = 6; // gRPC status code

/**
 * The `default` namespace and Tickler's search attributes, as the dev server's --namespace and
 * --search-attribute flags make them; retention one day like the dev server's. Then waits until
 * the frontend serves a visibility query on them, so the worker's first poll finds both.
 */
async function registerNamespace(ctx: ComponentContext): Promise<void> {
  const connection = await Connection.connect({ address: `127.0.0.1:${ctx.ports.temporal}` });
  try {
    const namespace = 'default';
    await waitFor(
      'temporal server: register the default namespace',
      async () => {
        try {
          await connection.workflowService.registerNamespace({
            namespace,
            workflowExecutionRetentionPeriod: msToTs('1 day'),
          });
        } catch (err) {
          if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
        }
        return true;
      },
      { failed: ctx.failure, timeoutMs: 60_000, intervalMs: 500 },
    );
    const wanted = encodedSearchAttributes();
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace,
    });
    const missing = Object.fromEntries(
      Object.entries(wanted).filter(([name]) => !(name in (customAttributes ?? {}))),
    );
    if (Object.keys(missing).length)
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: missing,
      });
    const [someAttribute] = Object.keys(wanted);
    await waitFor(
      'temporal server: the default namespace and its search attributes',
      async () => {
        await connection.workflowService.countWorkflowExecutions({
          namespace,
          query: `${someAttribute} IS NOT NULL`,
        });
        return true;
      },
      { failed: ctx.failure, timeoutMs: 30_000, intervalMs: 250 },
    );
  } finally {
    await connection.close();
  }
}

/**
 * Starts the Temporal server on the stack's PostgreSQL, which must be up (stack/stack.ts starts
 * it first). Its frontend listens where the dev server's would (ctx.ports.temporal), so the
 * worker, the api and the benchmarks connect to it unchanged.
 */
export async function startTemporalServer(ctx: ComponentContext): Promise<void> {
  const { tools, state } = ctx.paths;
  if (!temporalServerProvisioned(tools))
    throw new Error(`the Temporal server is not built: run 'bash ${PROVISION}' (several minutes)`);
  const dir = join(state, 'temporal-server');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const password = temporalPassword(dir);
  await setUpSchemas(ctx, password, await ensureDatabases(ctx, password));

  // Only the frontend is reached from outside the process; the rest are free loopback ports.
  // The server records its members' ports in a SMALLINT column (cluster_membership.rpc_port):
  // an ephemeral port above 32767 fails its membership heartbeat, so none is above it.
  const free = await freePortsBelow(8, 32_768);
  const next = (): number => free.shift()!;
  const ports: TemporalServerPorts = {
    frontend: ctx.ports.temporal,
    frontendHttp: ctx.ports.temporalHttp,
    frontendMembership: next(),
    history: next(),
    historyMembership: next(),
    matching: next(),
    matchingMembership: next(),
    worker: next(),
    workerMembership: next(),
    metrics: ctx.ports.temporalMetrics,
    pprof: next(),
  };

  const dynamicConfigFile = join(dir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigFile, stringify(temporalDynamicConfig()));
  const configFile = join(dir, 'config.yaml');
  const config = temporalServerConfig({
    ports,
    postgresPort: ctx.ports.postgres,
    password,
    dynamicConfigFile,
    logLevel: 'warn',
  });
  // Holds the role's password: owner-only, like the stack's other secrets.
  writeFileSync(configFile, stringify(config), { mode: 0o600 });

  ctx.group.start({
    name: 'temporal',
    command: temporalServerBinary(tools),
    args: ['--config-file', configFile, '--allow-no-auth', 'start'],
  });
  await waitFor('temporal server', () => isListening(ctx.ports.temporal), {
    failed: ctx.failure,
    timeoutMs: 90_000,
  });
  await registerNamespace(ctx);
  // Where to take a CPU profile of the server from (bench-stack prints it).
  writeFileSync(join(dir, 'pprof-url'), `http://127.0.0.1:${ports.pprof}/debug/pprof/\n`);
}

/** The server's profiling endpoint, once a stack with this state has started it. */
export function temporalServerPprofUrl(state: string): string | undefined {
  const file = join(state, 'temporal-server', 'pprof-url');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** How the benchmarks name this persistence on their first line. */
export const TEMPORAL_SERVER_LABEL = `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (${NUM_HISTORY_SHARDS} history shards)`;

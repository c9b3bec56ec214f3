import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintHs256Token } from '../platform/auth.js';
import { cliFatal } from '../platform/lifecycle.js';
import { stackPaths, ROOT } from './paths.js';
import { devPorts, isListening } from './ports.js';
import { startStack } from './stack.js';

// The run command: the whole system on fixed local ports, state kept in .state/ between runs.

const STATE = join(ROOT, '.state');
const LOCK = join(STATE, 'stack.pid');
const DEV_USER = 'dev-user';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function takeLock(): void {
  if (existsSync(LOCK)) {
    const pid = Number(readFileSync(LOCK, 'utf8'));
    if (pid && alive(pid)) {
      throw new Error(
        `Tickler is already running (supervisor pid ${pid}). Stop it with Ctrl-C in its terminal or 'kill ${pid}', then run again.`,
      );
    }
  }
  writeFileSync(LOCK, String(process.pid));
}

async function checkPortsFree(): Promise<void> {
  const named: [string, number][] = [
    ['postgres', devPorts.postgres],
    ['temporal', devPorts.temporal],
    ['temporal web UI', devPorts.temporalUi],
    ['temporal http', devPorts.temporalHttp],
    ['temporal metrics', devPorts.temporalMetrics],
    ['kafka', devPorts.kafka],
    ['kafka controller', devPorts.kafkaController],
    ['api', devPorts.api],
    ['sync-service', devPorts.sync],
    ['sync-service internal', devPorts.syncInternal],
    ['audit-service', devPorts.audit],
    ['worker health', devPorts.workerHealth],
    ['dapr sentry', devPorts.sentry.grpc],
    ['dapr sentry healthz', devPorts.sentry.healthz],
    ...Object.entries(devPorts.dapr).flatMap(
      ([id, p]) =>
        [
          [`dapr ${id} http`, p.http],
          [`dapr ${id} grpc`, p.grpc],
        ] as [string, number][],
    ),
  ];
  const busy: string[] = [];
  for (const [name, port] of named)
    if (await isListening(port)) busy.push(`${name} (port ${port})`);
  if (busy.length) {
    throw new Error(
      `ports already in use: ${busy.join(', ')}. Another Tickler stack or another program holds them; stop it and run again.`,
    );
  }
}

function devSecret(): string {
  const file = join(STATE, 'jwt-secret');
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  if (!existsSync(file))
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  const t0 = Date.now();
  mkdirSync(STATE, { recursive: true });
  takeLock();
  try {
    await checkPortsFree();
  } catch (err) {
    rmSync(LOCK, { force: true });
    throw err;
  }
  const paths = stackPaths(STATE);
  const jwtSecret = devSecret();
  const token = await mintHs256Token(jwtSecret, DEV_USER, 30 * 24 * 3600);
  console.log('starting the Tickler stack (logs in .state/logs/)');
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({
      paths,
      ports: devPorts,
      ephemeral: false,
      jwtSecret,
      serviceEnv: {
        api: {
          GRAPHIQL: 'true',
          GRAPHIQL_TOKEN: token,
          SYNC_PUBLIC_URL: `ws://127.0.0.1:${devPorts.sync}/graphql`,
        },
      },
      log: (line) => console.log(line),
      onCrash: (name, detail) =>
        console.error(
          `\n!! ${name} stopped unexpectedly: ${detail}\n   The rest keeps running; Ctrl-C stops everything.`,
        ),
    });
  } catch (err) {
    rmSync(LOCK, { force: true });
    throw err;
  }
  const p = devPorts;
  console.log(`
Tickler is up in ${((Date.now() - t0) / 1000).toFixed(1)} s.

  GraphQL + GraphiQL   http://127.0.0.1:${p.api}/graphql   (GraphiQL sends the dev token below; subscriptions go to the sync-service)
  Subscriptions (ws)   ws://127.0.0.1:${p.sync}/graphql    (graphql-ws; connection_init { "authorization": "Bearer <token>" })
  Temporal web UI      http://127.0.0.1:${p.temporalUi}    (workflow id reminder:<taskId>)
  Temporal gRPC        127.0.0.1:${p.temporal}
  Kafka                127.0.0.1:${p.kafka}  (SASL/SCRAM-SHA-512; users and passwords in .state/credentials.json)
  PostgreSQL           postgres://tickler@127.0.0.1:${p.postgres}/tickler  (password in .state/credentials.json)
  Health               api http://127.0.0.1:${p.api}/readyz · sync http://127.0.0.1:${p.sync}/readyz
                       audit http://127.0.0.1:${p.audit}/readyz · worker http://127.0.0.1:${p.workerHealth}/readyz
  Metrics (internal)   sync http://127.0.0.1:${p.syncInternal}/metrics · audit http://127.0.0.1:${p.audit}/metrics
  Dapr tokens          .state/dapr-tokens.json (the sidecars' API needs its dapr-api-token)
  Secret store         .state/secrets/<app>.json (what each app reads through its sidecar)

  Dev token (user "${DEV_USER}", 30 days; mint others with: npm run token -- <userId>):
  ${token}

Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping every process ...`);
    await stack.stop();
    rmSync(LOCK, { force: true });
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('exit', () => stack.killNow());
}

main().catch(cliFatal);

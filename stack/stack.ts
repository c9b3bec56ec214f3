import { mkdirSync, readFileSync } from 'node:fs';
import {
  databaseUrl,
  bundleWorkflows,
  serviceEnv,
  startDatabase,
  startKafka,
  startService,
  startSidecar,
  startTemporal,
  writeStackSecretFiles,
  type ComponentContext,
  type StackPaths,
  type TemporalKind,
} from './components.js';
import { APP_IDS, type AppId, type StackPorts } from './ports.js';
import { startSentry } from './sentry.js';
import { createProcessGroup, type Managed } from './processes.js';

export interface StackOptions {
  paths: StackPaths;
  ports: StackPorts;
  ephemeral: boolean;
  /** Temporal's database on disk even when ephemeral (see ComponentContext). */
  temporalOnDisk?: boolean;
  /** The dev server (default) or the Temporal server on PostgreSQL (see ComponentContext). */
  temporal?: TemporalKind;
  jwtSecret: string;
  log: (line: string) => void;
  /** Extra environment per service (e.g. GraphiQL for the api in development). */
  serviceEnv?: Partial<Record<AppId, NodeJS.ProcessEnv>>;
  /** Extra node flags per service (ComponentContext.nodeArgs). */
  nodeArgs?: Partial<Record<AppId, string[]>>;
  /** Called when a process dies after the stack is up. */
  onCrash?: (name: string, detail: string) => void;
  /** Aborted (Ctrl-C during start-up): stop what has started and reject. */
  abort?: AbortSignal;
}

export interface RunningStack {
  ports: StackPorts;
  databaseUrl: string;
  /** What its components were started with: tests stop and start some of them again. */
  ctx: ComponentContext;
  stop(): Promise<void>;
  killNow(): void;
}

export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => `    | ${l}`)
      .join('\n');
  } catch {
    return '    | (no log)';
  }
}

/** Starts every real component, then the four services with their sidecars; all or nothing. */
export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const { paths, ports, log } = opts;
  mkdirSync(paths.logs, { recursive: true });
  let up = false;
  let failure: string | undefined;
  const describe = (m: Managed, how: string) =>
    `${m.name} exited (${how}); last lines of ${m.logFile}:\n${tailOf(m.logFile)}`;
  const group = createProcessGroup(paths.logs, (m, how) => {
    if (up) opts.onCrash?.(m.name, describe(m, how));
    else failure ??= describe(m, how);
  });
  const ctx: ComponentContext = {
    paths,
    ports,
    group,
    ephemeral: opts.ephemeral,
    temporalOnDisk: opts.temporalOnDisk ?? false,
    ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
    temporal: opts.temporal ?? 'dev-server',
    log,
    failure: () => failure,
  };

  // Every step's wait polls `failure`, so an abort ends the start-up within one poll interval;
  // the processes it already started are stopped at once, the rest in the catch below.
  const onAbort = () => {
    failure ??= 'start-up interrupted';
    void group.stopAll();
  };
  opts.abort?.addEventListener('abort', onAbort, { once: true });

  const timed = async (what: string, step: () => Promise<void>): Promise<void> => {
    const t0 = Date.now();
    await step();
    log(`  ${what} ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };

  try {
    const database = timed('postgres + migrations', () => startDatabase(ctx));
    // The Temporal server keeps its state in the stack's PostgreSQL: it starts once that is up.
    const temporalAfter = ctx.temporal === 'postgres' ? database : Promise.resolve();
    await Promise.all([
      database,
      timed('temporal', () => temporalAfter.then(() => startTemporal(ctx))),
      timed('kafka', () => startKafka(ctx)),
      timed('workflow bundle', () => bundleWorkflows(ctx)),
      timed('dapr sentry', () => startSentry(ctx)),
    ]);
    writeStackSecretFiles(ctx, opts.jwtSecret);
    await Promise.all(
      APP_IDS.map((id) => timed(`dapr sidecar ${id}`, () => startSidecar(ctx, id))),
    );
    await Promise.all(
      APP_IDS.map((id) =>
        timed(id, () =>
          startService(ctx, id, {
            ...serviceEnv(ctx, id, { jwtSecret: opts.jwtSecret }),
            ...opts.serviceEnv?.[id],
          }),
        ),
      ),
    );
  } catch (err) {
    await group.stopAll();
    throw err;
  } finally {
    opts.abort?.removeEventListener('abort', onAbort);
  }
  if (opts.abort?.aborted) {
    await group.stopAll();
    throw new Error('start-up interrupted');
  }
  up = true;
  return {
    ports,
    databaseUrl: databaseUrl(ctx),
    ctx,
    stop: () => group.stopAll(),
    killNow: () => group.killAll(),
  };
}

// The Temporal server's static configuration (its --config-file) and its dynamic configuration, for
// one process running all four services on loopback with PostgreSQL persistence: the production
// shape of persistence, the development shape of everything else (no TLS, no archival, one
// cluster). Pure: stack/temporal-server.ts writes what these return.

export const TEMPORAL_DATABASE = 'temporal';
export const TEMPORAL_VISIBILITY_DATABASE = 'temporal_visibility';
export const TEMPORAL_ROLE = 'temporal';

/**
 * History shards. A shard is the unit the history service serialises a workflow's writes and
 * runs its timer and transfer queues on: each owns readers that poll PostgreSQL. On two cores a
 * few shards already give the parallelism there is; more only add polling. The count is fixed
 * when a cluster's database is created, which is why production picks hundreds up front; a
 * throwaway benchmark cluster need not. 4 is also the server's own development configurations'.
 */
export const NUM_HISTORY_SHARDS = 4;

/** The ports the server listens on, all on 127.0.0.1. */
export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
  /** Go's profiling endpoint (/debug/pprof/), bound to localhost. */
  pprof: number;
}

export interface TemporalServerSettings {
  ports: TemporalServerPorts;
  postgresPort: number;
  password: string;
  dynamicConfigFile: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

// Connections per service and store: the one process holds a pool for each of its four
// services, so the stack's PostgreSQL sees up to 4 × (20 + 10) of them (its max_connections is
// raised to match in stack/components.ts).
const POOLS = { default: 20, visibility: 10 } as const;

const datastore = (s: TemporalServerSettings, databaseName: string, maxConns: number) => ({
  sql: {
    pluginName: 'postgres12',
    databaseName,
    connectAddr: `127.0.0.1:${s.postgresPort}`,
    connectProtocol: 'tcp',
    user: TEMPORAL_ROLE,
    password: s.password,
    maxConns,
    maxIdleConns: maxConns,
    maxConnLifetime: '1h',
  },
});

const service = (grpcPort: number, membershipPort: number, extra: object = {}) => ({
  rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
});

/** The server's configuration file, as an object to serialise to YAML. */
export function temporalServerConfig(s: TemporalServerSettings): Record<string, unknown> {
  const p = s.ports;
  return {
    log: { stdout: true, level: s.logLevel },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: NUM_HISTORY_SHARDS,
      datastores: {
        default: datastore(s, TEMPORAL_DATABASE, POOLS.default),
        visibility: datastore(s, TEMPORAL_VISIBILITY_DATABASE, POOLS.visibility),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      // Go's profiler, on loopback only: where the server's CPU goes under a benchmark
      // (docs/benchmarks.md, "The Temporal server on PostgreSQL").
      pprof: { port: p.pprof, host: '127.0.0.1' },
      metrics: {
        prometheus: {
          framework: 'tally',
          timerType: 'histogram',
          listenAddress: `127.0.0.1:${p.metrics}`,
        },
      },
    },
    services: {
      frontend: service(p.frontend, p.frontendMembership, { httpPort: p.frontendHttp }),
      history: service(p.history, p.historyMembership),
      matching: service(p.matching, p.matchingMembership),
      worker: service(p.worker, p.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${p.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: s.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic configuration, in the server's file shape (key → list of { value, constraints }).
 * Search attributes added through the operator API are cached per service; reading them fresh,
 * as the dev server does, lets a workflow use one the moment it is registered.
 */
export function temporalDynamicConfig(): Record<string, { value: unknown }[]> {
  return {
    'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
  };
}

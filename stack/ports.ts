import { createServer, type Server } from 'node:net';

/** A loopback port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts connections on 127.0.0.1:port. */
export async function isListening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface StackPorts {
  postgres: number;
  temporal: number;
  temporalUi: number;
  /** The dev server's HTTP API and metrics (it would pick random ports otherwise). */
  temporalHttp: number;
  temporalMetrics: number;
  kafka: number;
  kafkaController: number;
  api: number;
  /** The sync-service's public listener (WebSocket) and its internal one (for its sidecar). */
  sync: number;
  syncInternal: number;
  audit: number;
  workerHealth: number;
  /** Dapr's Sentry (the sidecars' certificate authority, for mTLS): gRPC, healthz, metrics. */
  sentry: { grpc: number; healthz: number; metrics: number };
  /** Dapr sidecar ports per app: HTTP, gRPC, internal gRPC, metrics. */
  dapr: Record<AppId, { http: number; grpc: number; internal: number; metrics: number }>;
}

export const APP_IDS = ['api', 'worker', 'sync-service', 'audit-service'] as const;
export type AppId = (typeof APP_IDS)[number];

/** Fixed ports for the local stack, as listed in docs/local-stack.md. */
export const devPorts: StackPorts = {
  postgres: 55432,
  temporal: 7233,
  temporalUi: 8233,
  temporalHttp: 7243,
  temporalMetrics: 7253,
  kafka: 19092,
  kafkaController: 19093,
  api: 4000,
  sync: 4001,
  audit: 4002,
  workerHealth: 4003,
  syncInternal: 4004,
  sentry: { grpc: 50020, healthz: 50021, metrics: 50022 },
  dapr: {
    api: { http: 3500, grpc: 50001, internal: 50011, metrics: 9090 },
    worker: { http: 3501, grpc: 50002, internal: 50012, metrics: 9091 },
    'sync-service': { http: 3502, grpc: 50003, internal: 50013, metrics: 9092 },
    'audit-service': { http: 3503, grpc: 50004, internal: 50014, metrics: 9093 },
  },
};

/**
 * `count` distinct loopback ports that were free a moment ago. Every listener stays open until
 * all are taken, so the OS cannot hand out one port twice within a set.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.on('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * `count` distinct loopback ports below `below` that were free a moment ago, tried at random
 * from `from` up (the OS hands out ephemeral ports only above 32767 here, so they cannot serve
 * a port that must fit a signed 16-bit column). Held open until all are taken, like freePorts.
 */
export async function freePortsBelow(
  count: number,
  below: number,
  from = 20_000,
  random: () => number = Math.random,
): Promise<number[]> {
  const held: Server[] = [];
  const tryListen = (port: number) =>
    new Promise<Server | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => resolve(srv));
    });
  try {
    for (let tries = 0; held.length < count; tries++) {
      if (tries > count * 50)
        throw new Error(`no ${count} free loopback ports in ${from}–${below - 1}`);
      const srv = await tryListen(from + Math.floor(random() * (below - from)));
      if (srv) held.push(srv);
    }
    return held.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

/** Fresh free ports for a test run, so it never collides with a running local stack. */
export async function testPorts(): Promise<StackPorts> {
  const p = await freePorts(15 + APP_IDS.length * 4);
  const next = () => p.shift()!;
  const dapr = {} as StackPorts['dapr'];
  for (const id of APP_IDS)
    dapr[id] = { http: next(), grpc: next(), internal: next(), metrics: next() };
  return {
    postgres: next(),
    temporal: next(),
    temporalUi: next(),
    temporalHttp: next(),
    temporalMetrics: next(),
    kafka: next(),
    kafkaController: next(),
    api: next(),
    sync: next(),
    audit: next(),
    workerHealth: next(),
    syncInternal: next(),
    sentry: { grpc: next(), healthz: next(), metrics: next() },
    dapr,
  };
}

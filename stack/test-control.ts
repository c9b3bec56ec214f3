import { createServer, type IncomingMessage } from 'node:http';
import {
  startKafka,
  startPostgres,
  startSyncInstance,
  type ComponentContext,
  type SyncInstancePorts,
} from './components.js';
import { freePorts } from './ports.js';

// Lets end-to-end tests break the stack on purpose: the tests run in a child process, while
// the stack's processes belong to the test command's process group, so only the test command
// can stop and start them. Loopback only, one operation at a time. The routes:
//
//   POST   /kafka/stop                  SIGTERM, wait for the exit (not reported as a crash)
//   POST   /kafka/start                 again on the same ports and data
//   POST   /postgres/stop               fast shutdown (SIGINT: sessions are terminated, as in
//                                      a failover), wait for the exit
//   POST   /postgres/start              again on the same port and data
//   POST   /sync                        an extra sync-service replica with its own sidecar
//                                      → { port, url, internalUrl }
//   POST   /sync/<port>/kill[?sidecar]  SIGKILL the instance (and its sidecar)
//   POST   /sync/<port>/start           start it again on the same ports, same POD_NAME (and
//                                      its sidecar, when that was killed too)
//   DELETE /sync/<port>                 stop an extra replica and its sidecar
//
// <port> is a sync-service instance's own port (the stack's one, or an extra replica's).

export interface TestControl {
  url: string;
  close(): Promise<void>;
}

interface SyncInstance {
  ports: SyncInstancePorts;
  /** Its process name; the sidecar's is `dapr-<name>`. */
  name: string;
  extra: boolean;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Kafka gets longer than the usual grace to shut down cleanly: its data is reused. */
const KAFKA_STOP_GRACE_MS = 30_000;
const POSTGRES_STOP_GRACE_MS = 30_000;

export async function startTestControl(
  ctx: ComponentContext,
  jwtSecret: string,
): Promise<TestControl> {
  const { group } = ctx;
  const sync = new Map<number, SyncInstance>([
    [
      ctx.ports.sync,
      {
        ports: {
          sync: ctx.ports.sync,
          internal: ctx.ports.syncInternal,
          dapr: ctx.ports.dapr['sync-service'],
        },
        name: 'sync-service',
        extra: false,
      },
    ],
  ]);
  const syncUrl = (port: number) => `ws://127.0.0.1:${port}/graphql`;

  const instance = (port: string | undefined): SyncInstance => {
    const found = sync.get(Number(port));
    if (!found) throw new ControlError(404, `no sync-service instance on port ${port}`);
    return found;
  };

  async function handle(method: string, url: URL): Promise<Record<string, unknown>> {
    const [what, port, action] = url.pathname.split('/').filter(Boolean);
    if (what === 'kafka' && method === 'POST' && port === 'stop') {
      const kafka = group.find('kafka');
      if (kafka) await group.stop(kafka, KAFKA_STOP_GRACE_MS);
      return {};
    }
    if (what === 'postgres' && method === 'POST' && port === 'stop') {
      const pg = group.find('postgres');
      // SIGTERM would wait for every client to disconnect, and the services never do.
      if (pg) await group.stop(pg, POSTGRES_STOP_GRACE_MS, 'SIGINT');
      return {};
    }
    if (what === 'postgres' && method === 'POST' && port === 'start') {
      if (!group.find('postgres')) await startPostgres(ctx);
      return {};
    }
    if (what === 'kafka' && method === 'POST' && port === 'start') {
      if (!group.find('kafka')) await startKafka(ctx);
      return {};
    }
    if (what === 'sync' && method === 'POST' && port === undefined) {
      const [own, appPort, http, grpc, internal, metrics] = (await freePorts(6)) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const replica: SyncInstance = {
        ports: { sync: own, internal: appPort, dapr: { http, grpc, internal, metrics } },
        name: `sync-service-${own}`,
        extra: true,
      };
      sync.set(own, replica);
      await startSyncInstance(ctx, replica.ports, { jwtSecret }, { name: replica.name });
      return { port: own, url: syncUrl(own), internalUrl: `http://127.0.0.1:${appPort}` };
    }
    if (what === 'sync' && method === 'POST' && action === 'kill') {
      const { name } = instance(port);
      const app = group.find(name);
      if (app) await group.kill(app);
      const sidecar = url.searchParams.has('sidecar') ? group.find(`dapr-${name}`) : undefined;
      if (sidecar) await group.kill(sidecar);
      return {};
    }
    if (what === 'sync' && method === 'POST' && action === 'start') {
      const { ports, name } = instance(port);
      if (!group.find(name)) {
        const withSidecar = !group.find(`dapr-${name}`);
        await startSyncInstance(ctx, ports, { jwtSecret }, { name, withSidecar });
      }
      return { url: syncUrl(ports.sync) };
    }
    if (what === 'sync' && method === 'DELETE' && port !== undefined && action === undefined) {
      const replica = instance(port);
      if (!replica.extra) throw new ControlError(400, "the stack's own sync-service stays");
      for (const name of [replica.name, `dapr-${replica.name}`]) {
        const m = group.find(name);
        if (m) await group.stop(m);
      }
      sync.delete(replica.ports.sync);
      return {};
    }
    throw new ControlError(404, `no operation ${method} ${url.pathname}`);
  }

  // One operation at a time: two tests never run at once, but a retried request must not
  // start a second Kafka next to the first.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => {});
    return next;
  };

  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    req.resume();
    void serialized(async () => {
      const t0 = Date.now();
      try {
        const body = await handle(method, url);
        ctx.log(`  control: ${method} ${url.pathname} (${Date.now() - t0} ms)`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } catch (err) {
        const status = err instanceof ControlError ? err.status : 500;
        const message = err instanceof Error ? err.message : String(err);
        ctx.log(`  control: ${method} ${url.pathname} failed: ${message}`);
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

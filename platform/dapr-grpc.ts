import { GRPCClient, LogLevel } from '@dapr/dapr';
import type { StreamOpener } from './dapr-stream-subscription.js';

export interface DaprGrpcDeps {
  host: string;
  /** The sidecar's gRPC API port (daprd --dapr-grpc-port; 50001 in a pod). */
  port: number;
  /** Sent as `dapr-api-token` on every call when set (the SDK's interceptor). */
  apiToken?: string | undefined;
}

/**
 * Streams to the sidecar through the official SDK: its GRPCClient owns the HTTP/2 connection
 * (reopened after the sidecar restarts), the API token and the generated stub; the SDK has no
 * streaming-subscription API of its own, so platform/dapr-stream-subscription.ts drives the
 * stub's SubscribeTopicEventsAlpha1.
 */
export function daprStreamOpener({ host, port, apiToken }: DaprGrpcDeps): StreamOpener {
  const client = new GRPCClient({
    daprHost: host,
    daprPort: String(port),
    ...(apiToken ? { daprApiToken: apiToken } : {}),
    // Its console logger would announce every connection; our own log says what matters.
    logger: { level: LogLevel.Warn },
  });
  return (requests, signal) =>
    (async function* () {
      // Not start(): it polls the sidecar and gives up after a while; the caller's reconnect
      // loop already waits for a sidecar that is not there yet.
      const stub = await client.getClient(false);
      yield* stub.subscribeTopicEventsAlpha1(requests, { signal });
    })();
}

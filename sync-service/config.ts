import { z } from 'zod';
import { JwtConfig, Port } from '../platform/config.js';
import { AppApiTokenConfig, DaprApiTokenConfig } from '../platform/dapr-tokens.js';

const Ms = z.coerce.number().int().positive();
const Count = z.coerce.number().int().positive();

export const SyncConfig = JwtConfig.and(DaprApiTokenConfig)
  .and(AppApiTokenConfig)
  .and(
    z.object({
      /** The public listener: the WebSocket (/graphql), /healthz and /readyz only. */
      HOST: z.string().default('127.0.0.1'),
      PORT: Port.default(4001),
      /**
       * The WebSocket's path. Behind one host with the api (the Helm chart's Ingress), the api
       * keeps /graphql and the subscriptions move (the chart sets /subscriptions).
       */
      WS_PATH: z
        .string()
        .regex(/^\/[A-Za-z0-9/_-]*$/, 'must be a path such as /subscriptions')
        .default('/graphql'),
      /**
       * The listener for the sidecar (its --app-port): event deliveries and /metrics. Bound to
       * the pod's loopback; never exposed.
       */
      INTERNAL_HOST: z.string().default('127.0.0.1'),
      INTERNAL_PORT: Port.default(4004),
      DAPR_HOST: z.string().default('127.0.0.1'),
      DAPR_HTTP_PORT: Port.default(3502),
      /** The audit service's Dapr app id: missed events are replayed from its log. */
      AUDIT_APP_ID: z.string().default('audit-service'),
      LOG_LEVEL: z.string().default('info'),
      /** graphql-ws ping interval; a client that misses a pong is dropped. */
      KEEP_ALIVE_MS: Ms.default(12_000),
      /** Events held per subscription before a slow client is disconnected (close 4013). */
      MAX_BUFFERED_EVENTS: Ms.default(1_000),
      GAP_WAIT_MS: Ms.default(250),
      GAP_GIVE_UP_MS: Ms.default(180_000),
      /**
       * Largest WebSocket message accepted (close 1009 beyond). A subscribe message is a short
       * query; 64 KiB leaves room for any real one.
       */
      WS_MAX_FRAME_BYTES: Count.default(65_536),
      /** A socket that sends no connection_init within this is closed (4408). */
      WS_INIT_TIMEOUT_MS: Ms.default(3_000),
      /** Open sockets per authenticated user (close 4029 beyond): tabs and devices. */
      MAX_SOCKETS_PER_USER: Count.default(8),
      /**
       * Open sockets per remote address, counted before authentication (close 4029 beyond).
       * Behind a proxy every client shares its address: raise it there.
       */
      MAX_SOCKETS_PER_ADDRESS: Count.default(256),
      /** Operations running at once on one socket (QUOTA_EXCEEDED beyond). */
      MAX_SUBSCRIPTIONS_PER_SOCKET: Count.default(8),
      /** Reads of the audit log (replay) in flight at once on this replica; the rest queue. */
      REPLAY_MAX_CONCURRENT: Count.default(8),
      /** Of those, at most this many for one user. */
      REPLAY_MAX_PER_USER: Count.default(2),
      /** Reads waiting for a slot at most; more are UNAVAILABLE at once (clients retry). */
      REPLAY_MAX_WAITING: Count.default(1024),
    }),
  );
export type SyncConfig = z.infer<typeof SyncConfig>;

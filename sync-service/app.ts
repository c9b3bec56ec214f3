import type { FastifyInstance } from 'fastify';
import { GraphQLError, type DocumentNode, type execute, type subscribe } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, ErrorCode, quotaExceeded, unauthenticated } from '../domain/errors.js';
import { Topic } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import { bearerToken, type JwtVerifier } from '../platform/auth.js';
import { acceptCloudEvents, registerTopicRoute } from '../platform/dapr-subscriber.js';
import { requireDaprAppToken } from '../platform/dapr-tokens.js';
import { createErrorMasker, toGraphQLError } from '../platform/graphql-errors.js';
import { registerHealth, type ReadinessCheck } from '../platform/health.js';
import { createHttpApp } from '../platform/http.js';
import { registerHttpErrors } from '../platform/http-errors.js';
import { registerMetrics } from '../platform/metrics.js';
import type { Logger } from '../platform/logger.js';
import {
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_TOO_MANY_CONNECTIONS,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNAUTHORIZED,
} from './close-codes.js';
import { createEventHub } from './hub.js';
import { createSyncMetrics } from './metrics.js';
import { orderedEvents, type StreamLimits } from './ordered-events.js';
import { createReplayGate, type ReplayGateLimits } from './replay-gate.js';
import type { ReplaySource } from './replay-source.js';
import { createSyncSchema, type SyncContext } from './schema.js';
import { createSocketCounter, type SocketLimits } from './socket-limits.js';
import { closeAtExpiry } from './token-expiry.js';

export interface SyncDeps {
  verifier: JwtVerifier;
  log: Logger;
  /** Where missed events are read from (the audit log, through Dapr). */
  replay: ReplaySource;
  limits: StreamLimits;
  sockets: SocketLimits;
  /** How many audit log reads (replay) may be in flight at once. */
  replayGate: ReplayGateLimits;
  /** graphql-ws keep-alive: ping interval; a client that misses a pong is dropped. */
  keepAliveMs: number;
  /** What the sidecar sends in `dapr-api-token` on every delivery (APP_API_TOKEN). */
  appApiToken: string;
  readiness?: Record<string, ReadinessCheck>;
  /** The WebSocket's path; GRAPHQL_WS_PATH unless the deployment moves it (WS_PATH). */
  wsPath?: string;
}

/** The two listeners: the public one (WebSocket, health) and the sidecar's. */
export interface SyncService {
  /** WebSocket /graphql, /healthz, /readyz: all a client can reach. */
  app: FastifyInstance;
  /** Event deliveries (app token required) and /metrics: the sidecar's --app-port, on loopback. */
  internal: FastifyInstance;
}

/** Routes named in dapr/subscriptions/sync-service.yaml. */
export const syncRoutes = {
  [Topic.taskEvents]: '/events/task-events',
  [Topic.reminders]: '/events/reminders',
} as const;

export const GRAPHQL_WS_PATH = '/graphql';
const MAX_OPERATION_TOKENS = 500;

export function buildSyncService(deps: SyncDeps): SyncService {
  const { verifier, log, limits, sockets, keepAliveMs, readiness = {} } = deps;
  const wsPath = deps.wsPath ?? GRAPHQL_WS_PATH;
  const app = createHttpApp(log);
  const internal = createHttpApp(log);
  const hub = createEventHub();
  const gate = createReplayGate(deps.replayGate);
  const replay = gate.wrap(deps.replay);
  const metrics = createSyncMetrics(registerMetrics(internal, 'sync-service'), {
    subscriptions: hub.listenerCount,
    replayReads: gate.stats,
  });

  // Whoever can reach the internal listener still needs the app token: a forged event would
  // be pushed to its user's clients.
  registerHttpErrors(internal, log);
  void internal.register(async (dapr) => {
    requireDaprAppToken(dapr, deps.appApiToken);
    acceptCloudEvents(dapr);
    for (const route of Object.values(syncRoutes)) {
      registerTopicRoute(
        dapr,
        route,
        async (event) => {
          metrics.received.inc();
          hub.publish(event);
        },
        log,
      );
    }
  });
  registerHealth(app, readiness);

  const eventsFor =
    (userId: UserId, socket: WebSocket): SyncContext['events'] =>
    (after) =>
      orderedEvents({
        userId,
        after,
        hub,
        source: replay,
        limits,
        onDeliver: (e, replayed) => {
          metrics.delivered.inc({ source: replayed ? 'replay' : 'live' });
          metrics.latency.observe((Date.now() - Date.parse(e.time)) / 1000);
        },
        onOverflow: () => {
          metrics.closedSlow.inc();
          log.warn({ userId, buffered: limits.maxBuffered }, 'closing a slow consumer');
          socket.close(
            CLOSE_SLOW_CONSUMER,
            `slow consumer: more than ${limits.maxBuffered} events waiting; resume with after`,
          );
        },
        onGapSkipped: (from, to) => {
          metrics.gapsSkipped.inc(to - from + 1);
          log.error({ userId, from, to }, 'sequence gap given up on: these events never arrived');
        },
        onReplayError: (err) => {
          metrics.replayErrors.inc();
          log.warn({ userId, err: err instanceof Error ? err.message : err }, 'replay failed');
        },
      });

  // HTTP and WebSocket share one envelope: the same schema, plugins and error masking.
  const yoga = createYoga<SyncContext>({
    schema: createSyncSchema(),
    graphqlEndpoint: wsPath,
    graphiql: false,
    landingPage: false,
    maskedErrors: { maskError: createErrorMasker(log) },
  });

  type Extra = { userId?: UserId };
  type Enveloped = { execute: typeof execute; subscribe: typeof subscribe };
  // ws refuses a larger message from its frame header (close 1009), before reading it.
  const wss = new WebSocketServer({
    server: app.server,
    path: wsPath,
    maxPayload: sockets.maxFrameBytes,
  });
  const byAddress = createSocketCounter(sockets.maxSocketsPerAddress);
  const byUser = createSocketCounter(sockets.maxSocketsPerUser);
  const tooMany = (socket: WebSocket, which: 'address' | 'user', limit: number): void => {
    metrics.refused.inc({ reason: `sockets_per_${which}` });
    socket.close(
      CLOSE_TOO_MANY_CONNECTIONS,
      `too many connections for this ${which} (limit ${limit}): close one first`,
    );
  };
  // Registered before graphql-ws's own listener: a refused socket is closed before it is served.
  wss.on('connection', (socket, req) => {
    metrics.connections.inc();
    socket.once('close', () => metrics.connections.dec());
    // Counted before authentication: unauthenticated sockets are what one address can pile up.
    const release = byAddress.open(req.socket.remoteAddress ?? 'unknown');
    if (!release) return tooMany(socket, 'address', sockets.maxSocketsPerAddress);
    socket.once('close', release);
  });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: sockets.initTimeoutMs,
      // The JWT travels in connection_init: `{ "authorization": "Bearer <jwt>" }`.
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = bearerToken(typeof raw === 'string' ? raw : undefined);
        const { socket } = ctx.extra;
        let verified: Awaited<ReturnType<JwtVerifier['verify']>>;
        try {
          if (!token)
            throw unauthenticated('connection_init payload needs authorization: "Bearer <jwt>"');
          verified = await verifier.verify(token);
        } catch (err) {
          const reason = err instanceof AppError ? err.message : 'authentication failed';
          const retry = err instanceof AppError && err.code === ErrorCode.UNAVAILABLE;
          socket.close(retry ? CLOSE_TRY_AGAIN_LATER : CLOSE_UNAUTHORIZED, reason.slice(0, 120));
          return false;
        }
        const { userId, expiresAt } = verified;
        // The socket may have closed while the token was checked: count only an open one.
        if (socket.readyState !== socket.OPEN) return false;
        const release = byUser.open(userId);
        if (!release) {
          tooMany(socket, 'user', sockets.maxSocketsPerUser);
          return false;
        }
        socket.once('close', release);
        ctx.extra.userId = userId;
        if (expiresAt) {
          const cancel = closeAtExpiry(expiresAt, () => {
            metrics.closedExpired.inc();
            socket.close(CLOSE_TOKEN_EXPIRED, 'token expired: reconnect with a fresh token');
          });
          socket.once('close', cancel);
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws lists the new operation before calling this hook, and drops it when it
        // ends (or is refused here).
        if (Object.keys(ctx.subscriptions).length > sockets.maxSubscriptionsPerSocket) {
          metrics.refused.inc({ reason: 'subscriptions_per_socket' });
          return [
            toGraphQLError(
              quotaExceeded(
                'operations at once on one connection',
                sockets.maxSubscriptionsPerSocket,
              ),
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          userId: ctx.extra.userId!,
          events: eventsFor(ctx.extra.userId!, ctx.extra.socket),
        });
        // The subscription schema is small: no legitimate operation needs more tokens than this,
        // and the parser stops counting there (a 64 KiB frame could hold ~30,000).
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: MAX_OPERATION_TOKENS });
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
        const args = {
          schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
      // The envelope's own execute/subscribe travel in rootValue (set in onSubscribe above).
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
    },
    wss,
    keepAliveMs,
  );

  app.addHook('onClose', async () => {
    await disposable.dispose();
    wss.close();
  });
  return { app, internal };
}

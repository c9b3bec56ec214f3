import type { FastifyInstance } from 'fastify';
import type { execute, subscribe } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, unauthenticated } from '../domain/errors.js';
import { Topic } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import { bearerToken, type JwtVerifier } from '../platform/auth.js';
import { acceptCloudEvents, registerTopicRoute } from '../platform/dapr-subscriber.js';
import { createErrorMasker } from '../platform/graphql-errors.js';
import { registerHealth, type ReadinessCheck } from '../platform/health.js';
import { createHttpApp } from '../platform/http.js';
import { registerMetrics } from '../platform/metrics.js';
import type { Logger } from '../platform/logger.js';
import { CLOSE_SLOW_CONSUMER, CLOSE_TOKEN_EXPIRED, CLOSE_UNAUTHORIZED } from './close-codes.js';
import { createEventHub } from './hub.js';
import { createSyncMetrics } from './metrics.js';
import { orderedEvents, type StreamLimits } from './ordered-events.js';
import type { ReplaySource } from './replay-source.js';
import { createSyncSchema, type SyncContext } from './schema.js';
import { closeAtExpiry } from './token-expiry.js';

export interface SyncDeps {
  verifier: JwtVerifier;
  log: Logger;
  /** Where missed events are read from (the audit log, through Dapr). */
  replay: ReplaySource;
  limits: StreamLimits;
  /** graphql-ws keep-alive: ping interval; a client that misses a pong is dropped. */
  keepAliveMs: number;
  readiness?: Record<string, ReadinessCheck>;
}

/** Routes named in dapr/subscriptions/sync-service.yaml. */
export const syncRoutes = {
  [Topic.taskEvents]: '/events/task-events',
  [Topic.reminders]: '/events/reminders',
} as const;

export const GRAPHQL_WS_PATH = '/graphql';

export function buildSyncService(deps: SyncDeps): FastifyInstance {
  const { verifier, log, replay, limits, keepAliveMs, readiness = {} } = deps;
  const app = createHttpApp(log);
  const hub = createEventHub();
  const metrics = createSyncMetrics(registerMetrics(app, 'sync-service'), hub.listenerCount);

  acceptCloudEvents(app);
  for (const route of Object.values(syncRoutes)) {
    registerTopicRoute(
      app,
      route,
      async (event) => {
        metrics.received.inc();
        hub.publish(event);
      },
      log,
    );
  }
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
    graphqlEndpoint: GRAPHQL_WS_PATH,
    graphiql: false,
    landingPage: false,
    maskedErrors: { maskError: createErrorMasker(log) },
  });

  type Extra = { userId?: UserId };
  type Enveloped = { execute: typeof execute; subscribe: typeof subscribe };
  const wss = new WebSocketServer({ server: app.server, path: GRAPHQL_WS_PATH });
  wss.on('connection', (socket) => {
    metrics.connections.inc();
    socket.once('close', () => metrics.connections.dec());
  });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      // The JWT travels in connection_init: `{ "authorization": "Bearer <jwt>" }`.
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = bearerToken(typeof raw === 'string' ? raw : undefined);
        const { socket } = ctx.extra;
        try {
          if (!token)
            throw unauthenticated('connection_init payload needs authorization: "Bearer <jwt>"');
          const { userId, expiresAt } = await verifier.verify(token);
          ctx.extra.userId = userId;
          if (expiresAt) {
            const cancel = closeAtExpiry(expiresAt, () => {
              metrics.closedExpired.inc();
              socket.close(CLOSE_TOKEN_EXPIRED, 'token expired: reconnect with a fresh token');
            });
            socket.once('close', cancel);
          }
          return true;
        } catch (err) {
          const reason = err instanceof AppError ? err.message : 'authentication failed';
          socket.close(CLOSE_UNAUTHORIZED, reason.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          userId: ctx.extra.userId!,
          events: eventsFor(ctx.extra.userId!, ctx.extra.socket),
        });
        const args = {
          schema,
          operationName: payload.operationName ?? null,
          document: parse(payload.query),
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
  return app;
}

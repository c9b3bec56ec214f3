import type { FastifyInstance } from 'fastify';
import type { execute, subscribe } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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
import { createEventHub } from './hub.js';
import { createSyncSchema, type SyncContext } from './schema.js';

export interface SyncDeps {
  verifier: JwtVerifier;
  log: Logger;
  readiness?: Record<string, ReadinessCheck>;
}

/** Routes named in dapr/subscriptions/sync-service.yaml. */
export const syncRoutes = {
  [Topic.taskEvents]: '/events/task-events',
  [Topic.reminders]: '/events/reminders',
} as const;

export const GRAPHQL_WS_PATH = '/graphql';

/** graphql-ws close code for a connection_init without a valid token. */
const CLOSE_UNAUTHORIZED = 4401;

export function buildSyncService({ verifier, log, readiness = {} }: SyncDeps): FastifyInstance {
  const app = createHttpApp(log);
  registerMetrics(app, 'sync-service');
  const hub = createEventHub();

  acceptCloudEvents(app);
  for (const route of Object.values(syncRoutes)) {
    registerTopicRoute(app, route, async (event) => hub.publish(event), log);
  }
  registerHealth(app, readiness);

  // HTTP and WebSocket share one envelope: the same schema, plugins and error masking.
  const yoga = createYoga<{ userId: UserId }, SyncContext>({
    schema: createSyncSchema(hub),
    graphqlEndpoint: GRAPHQL_WS_PATH,
    graphiql: false,
    landingPage: false,
    maskedErrors: { maskError: createErrorMasker(log) },
    context: ({ userId }) => ({ userId }),
  });

  type Extra = { userId?: UserId };
  type Enveloped = { execute: typeof execute; subscribe: typeof subscribe };
  const wss = new WebSocketServer({ server: app.server, path: GRAPHQL_WS_PATH });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      // The JWT travels in connection_init: `{ "authorization": "Bearer <jwt>" }`.
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = bearerToken(typeof raw === 'string' ? raw : undefined);
        try {
          if (!token)
            throw unauthenticated('connection_init payload needs authorization: "Bearer <jwt>"');
          ctx.extra.userId = (await verifier.verify(token)).userId;
          return true;
        } catch (err) {
          const reason = err instanceof AppError ? err.message : 'authentication failed';
          ctx.extra.socket.close(CLOSE_UNAUTHORIZED, reason.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          userId: ctx.extra.userId!,
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
  );

  app.addHook('onClose', async () => {
    await disposable.dispose();
    wss.close();
  });
  return app;
}

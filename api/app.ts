import type { FastifyInstance } from 'fastify';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Sql } from '../db/sql.js';
import { MAX_PAGE_SIZE } from '../domain/task-query.js';
import { unauthenticated } from '../domain/errors.js';
import { bearerToken, type JwtVerifier } from '../platform/auth.js';
import { createErrorMasker, errorCodes } from '../platform/graphql-errors.js';
import { costLimit, depthLimit } from '../platform/graphql-limits.js';
import { registerHealth, type ReadinessCheck } from '../platform/health.js';
import { createHttpApp } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { registerMetrics } from '../platform/metrics.js';
import { requestContext, traceIdOf, validTraceparent } from '../platform/request-context.js';
import type { ApiContext } from './context.js';
import { historyUnavailable, type HistoryClient } from './history-client.js';
import { schema } from './schema/index.js';

export interface ApiDeps {
  sql: Sql;
  verifier: JwtVerifier;
  log: Logger;
  /** Serve GraphiQL on GET /graphql (development), optionally with headers filled in. */
  graphiql?: false | { defaultHeaders?: string };
  readiness?: Record<string, ReadinessCheck>;
  /** Where Task.history and history read from; without it they answer UNAVAILABLE. */
  history?: HistoryClient;
}

export const QUERY_LIMITS = { maxDepth: 10, maxCost: 5000 } as const;

const queryLimits: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(depthLimit(QUERY_LIMITS.maxDepth));
    addValidationRule(costLimit(QUERY_LIMITS.maxCost, { defaultPage: 50, maxPage: MAX_PAGE_SIZE }));
  },
};

/** Builds the app without listening, so tests can use `app.inject()` or listen on port 0. */
export function buildApi({
  sql,
  verifier,
  log,
  graphiql = false,
  readiness = {},
  history = historyUnavailable,
}: ApiDeps): FastifyInstance {
  const app = createHttpApp(log);
  registerMetrics(app, 'api');

  const yoga = createYoga<object, ApiContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: graphiql ? { title: 'Tickler', headers: graphiql.defaultHeaders } : false,
    landingPage: false,
    plugins: [queryLimits, errorCodes],
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...a) => log.warn(a),
      error: (...a) => log.error(a),
    },
    maskedErrors: { maskError: createErrorMasker(log) },
    context: async ({ request }): Promise<ApiContext> => {
      const token = bearerToken(request.headers.get('authorization') ?? undefined);
      if (!token) throw unauthenticated('missing bearer token (Authorization: Bearer <jwt>)');
      const { userId } = await verifier.verify(token);
      return {
        userId,
        sql,
        history,
        traceparent: validTraceparent(request.headers.get('traceparent') ?? undefined),
      };
    },
  });

  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const traceparent = validTraceparent(req.headers.traceparent as string | undefined);
      const info = { requestId: req.id, traceId: traceIdOf(traceparent) };
      const response = await requestContext.run(info, () =>
        yoga.handleNodeRequestAndResponse(req, reply),
      );
      response.headers.forEach((value, key) => void reply.header(key, value));
      reply.header('x-request-id', req.id);
      reply.status(response.status);
      reply.send(response.body);
      return reply;
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.url !== yoga.graphqlEndpoint) return;
    log.info(
      {
        requestId: req.id,
        traceId: traceIdOf(validTraceparent(req.headers.traceparent as string | undefined)),
        method: req.method,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'graphql request',
    );
  });

  registerHealth(app, { postgres: () => sql`SELECT 1`, ...readiness });
  return app;
}

import type { FastifyInstance } from 'fastify';
import { createYoga } from 'graphql-yoga';
import type { Sql } from '../db/sql.js';
import { bearerToken, type JwtVerifier } from '../platform/auth.js';
import { createErrorMasker } from '../platform/graphql-errors.js';
import { registerHealth, type ReadinessCheck } from '../platform/health.js';
import { createHttpApp } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { unauthenticated } from '../domain/errors.js';
import type { ApiContext } from './context.js';
import { schema } from './schema.js';

export interface ApiDeps {
  sql: Sql;
  verifier: JwtVerifier;
  log: Logger;
  /** Serve GraphiQL on GET /graphql (development), optionally with headers filled in. */
  graphiql?: false | { defaultHeaders?: string };
  readiness?: Record<string, ReadinessCheck>;
}

/** Builds the app without listening, so tests can use `app.inject()` or listen on port 0. */
export function buildApi({
  sql,
  verifier,
  log,
  graphiql = false,
  readiness = {},
}: ApiDeps): FastifyInstance {
  const app = createHttpApp(log);

  const yoga = createYoga<object, ApiContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: graphiql ? { title: 'Tickler', headers: graphiql.defaultHeaders } : false,
    landingPage: false,
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
      return { userId, sql, traceparent: request.headers.get('traceparent') ?? undefined };
    },
  });

  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply);
      response.headers.forEach((value, key) => void reply.header(key, value));
      reply.status(response.status);
      reply.send(response.body);
      return reply;
    },
  });

  registerHealth(app, { postgres: () => sql`SELECT 1`, ...readiness });
  return app;
}

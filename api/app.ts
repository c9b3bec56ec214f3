import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createYoga } from 'graphql-yoga';
import type { Sql } from '../db/sql.js';
import { AppError, unauthenticated } from '../domain/errors.js';
import type { UserId } from '../domain/ids.js';
import { bearerToken, type JwtVerifier } from '../platform/auth.js';
import { createErrorMasker, errorCodes, toGraphQLError } from '../platform/graphql-errors.js';
import { registerHealth, type ReadinessCheck } from '../platform/health.js';
import { createHttpApp } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { registerMetrics } from '../platform/metrics.js';
import { requestContext, traceIdOf, validTraceparent } from '../platform/request-context.js';
import {
  createWebhookDestinations,
  STRICT_WEBHOOK_POLICY,
  type WebhookDestinations,
} from '../platform/webhook-destination.js';
import type { ApiContext } from './context.js';
import { graphiqlOptions, renderGraphiQL, type GraphiqlSettings } from './graphiql.js';
import { historyUnavailable, type HistoryClient } from './history/history-client.js';
import { createParserCache, queryLimits } from './limits/query-limits.js';
import type { RequestLimiter } from './limits/request-limiter.js';
import { DEFAULT_QUOTAS, type Quotas } from './limits/quotas.js';
import { registerMcp, type McpOptions } from './mcp/route.js';
import { schema } from './schema/index.js';

export interface ApiDeps {
  sql: Sql;
  verifier: JwtVerifier;
  log: Logger;
  /** Serve GraphiQL on GET /graphql (development), optionally with a token and subscriptions. */
  graphiql?: false | GraphiqlSettings;
  readiness?: Record<string, ReadinessCheck>;
  /** Where Task.history and history read from; without it they answer UNAVAILABLE. */
  history?: HistoryClient;
  /** The webhook destination check; strict (https, public addresses) unless given. */
  webhooks?: WebhookDestinations;
  /** Requests per user; none when absent (tests of other parts). */
  requestLimiter?: RequestLimiter;
  /** Per-user limits the commands check; DEFAULT_QUOTAS unless given. */
  quotas?: Quotas;
  /** The MCP endpoint's public URL and authorization servers (its metadata document). */
  mcp?: McpOptions;
  /** The clock relative dates ("tomorrow at 5pm") are read against; tests stop it. */
  now?: () => Date;
}

/** What the route handler found out before yoga runs: who is calling. */
interface Caller {
  userId: UserId;
}

/** Builds the app without listening, so tests can use `app.inject()` or listen on port 0. */
export function buildApi({
  sql,
  verifier,
  log,
  graphiql = false,
  readiness = {},
  history = historyUnavailable,
  webhooks = createWebhookDestinations({ policy: STRICT_WEBHOOK_POLICY }),
  requestLimiter,
  quotas = DEFAULT_QUOTAS,
  mcp = {},
  now = () => new Date(),
}: ApiDeps): FastifyInstance {
  const app = createHttpApp(log);
  registerMetrics(app, 'api');

  const yoga = createYoga<Caller, ApiContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: graphiql ? graphiqlOptions(graphiql) : false,
    // GraphiQL with its assets in the page: yoga's default loads them from a CDN.
    renderGraphiQL,
    landingPage: false,
    plugins: [queryLimits, errorCodes],
    parserAndValidationCache: createParserCache(),
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...a) => log.warn(a),
      error: (...a) => log.error(a),
    },
    maskedErrors: { maskError: createErrorMasker(log) },
    // The route handler below has authenticated the caller before yoga read the body.
    context: ({ request, userId }): ApiContext => {
      // Only GraphiQL's page and CORS preflights pass the handler without a caller, and
      // neither executes an operation; refuse rather than run one as nobody.
      if (!userId) throw unauthenticated('missing bearer token (Authorization: Bearer <jwt>)');
      return {
        userId,
        sql,
        history,
        webhooks,
        quotas,
        now,
        traceparent: validTraceparent(request.headers.get('traceparent') ?? undefined),
      };
    },
  });

  // Who is calling, found in onRequest: before fastify reads or parses the body.
  const callers = new WeakMap<FastifyRequest, Caller>();
  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    // No work for strangers: the token is checked (and the caller's request budget taken)
    // before the body is read, so nothing of a refused request is parsed. GraphiQL's page and
    // CORS preflights need no token (and execute nothing: the context refuses a missing caller).
    onRequest: async (req, reply) => {
      if (
        req.method === 'OPTIONS' ||
        (graphiql && isGraphiqlPage(req.method, req.url, req.headers.accept))
      )
        return;
      try {
        callers.set(req, await authenticate(req.headers.authorization));
      } catch (err) {
        return refuse(reply, req.id, err);
      }
    },
    handler: async (req, reply) => {
      const traceparent = validTraceparent(req.headers.traceparent as string | undefined);
      const info = { requestId: req.id, traceId: traceIdOf(traceparent) };
      const caller = callers.get(req) ?? { userId: '' as UserId };
      const response = await requestContext.run(info, () =>
        yoga.handleNodeRequestAndResponse(req, reply, caller),
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

  registerMcp(app, { ...mcp, sql, verifier, log, quotas, requestLimiter, now, history });
  registerHealth(app, { postgres: () => sql`SELECT 1`, ...readiness });
  return app;

  async function authenticate(header: string | undefined): Promise<Caller> {
    const token = bearerToken(header);
    if (!token) throw unauthenticated('missing bearer token (Authorization: Bearer <jwt>)');
    const { userId } = await verifier.verify(token);
    requestLimiter?.take(userId);
    return { userId };
  }

  /** A refused request, in the GraphQL response shape, without yoga ever seeing it. */
  function refuse(reply: FastifyReply, requestId: string, err: unknown) {
    if (!(err instanceof AppError)) throw err;
    const error = toGraphQLError(err);
    const http = error.extensions.http as
      { status?: number; headers?: Record<string, string> } | undefined;
    for (const [k, v] of Object.entries(http?.headers ?? {})) reply.header(k, v);
    // `http` told us the status and headers; the body carries the rest.
    const extensions = Object.fromEntries(
      Object.entries(error.extensions).filter(([k]) => k !== 'http'),
    );
    return reply
      .status(http?.status ?? 400)
      .header('x-request-id', requestId)
      .header('content-type', 'application/graphql-response+json; charset=utf-8')
      .send({ errors: [{ message: error.message, extensions }] });
  }
}

/** A browser asking for GraphiQL's page (no query in the URL), not for a result. */
function isGraphiqlPage(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' || !(accept ?? '').includes('text/html')) return false;
  return !new URL(url, 'http://localhost').searchParams.has('query');
}

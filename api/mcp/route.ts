import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { Sql } from '../../db/sql.js';
import type { ErrorCode } from '../../domain/errors.js';
import { AppError, unauthenticated } from '../../domain/errors.js';
import type { UserId } from '../../domain/ids.js';
import { bearerToken, type JwtVerifier } from '../../platform/auth.js';
import type { Logger } from '../../platform/logger.js';
import { validTraceparent } from '../../platform/request-context.js';
import type { HistoryClient } from '../history/history-client.js';
import type { Quotas } from '../limits/quotas.js';
import type { RequestLimiter } from '../limits/request-limiter.js';
import { createMcpServer } from './server.js';

export const MCP_PATH = '/mcp';
const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * A JSON-RPC request to /mcp is small: 25 items of a batch with titles and notes fit easily.
 * Smaller than the api's 1 MiB, so a stranger's (or a runaway model's) megabyte is refused early.
 */
export const MCP_BODY_LIMIT = 256 * 1024;

export interface McpOptions {
  /** The public origin clients reach the api at (e.g. https://tickler.example); else the Host. */
  publicUrl?: string | undefined;
  /** Where clients get tokens (RFC 9728 `authorization_servers`); omitted when empty. */
  authorizationServers?: string[] | undefined;
}

export interface McpDeps extends McpOptions {
  sql: Sql;
  verifier: JwtVerifier;
  log: Logger;
  quotas: Quotas;
  /** Where task_history reads from (the audit service through Dapr). */
  history: HistoryClient;
  requestLimiter?: RequestLimiter | undefined;
  /** The clock tools read relative dates against; tests stop it near a DST change. */
  now?: (() => Date) | undefined;
}

/**
 * The HTTP status of a call refused before any tool ran (auth, rate limit, an outage): what an
 * HTTP client acts on keeps its status, any other refusal is 400. Errors inside a tool are tool
 * results (api/mcp/results.ts), not statuses.
 */
export const mcpHttpStatus: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  NOT_FOUND: 400,
  CONFLICT: 400,
  BAD_EVENT: 400,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 400,
  TOO_EXPENSIVE: 400,
  FORBIDDEN: 400,
  INTERNAL: 500,
};

/**
 * The MCP endpoint (Streamable HTTP, stateless: a new server and transport per request, so any
 * replica serves any call) and its protected-resource metadata (RFC 9728), which the MCP
 * authorization spec has clients discover from the 401's WWW-Authenticate.
 */
export function registerMcp(app: FastifyInstance, deps: McpDeps): void {
  const origin = (req: FastifyRequest): string =>
    deps.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`;

  const metadata = (req: FastifyRequest) => ({
    resource: `${origin(req)}${MCP_PATH}`,
    ...(deps.authorizationServers?.length
      ? { authorization_servers: deps.authorizationServers }
      : {}),
    bearer_methods_supported: ['header'],
    resource_name: 'Tickler',
  });
  // RFC 9728 puts the resource's path after the well-known one; clients try both.
  for (const url of [METADATA_PATH, `${METADATA_PATH}${MCP_PATH}`])
    app.get(url, async (req) => metadata(req));

  const callers = new WeakMap<FastifyRequest, UserId>();
  app.route({
    method: 'POST',
    url: MCP_PATH,
    bodyLimit: MCP_BODY_LIMIT,
    // No work for strangers: the token is checked (and the caller's request budget taken)
    // before fastify reads the body, as for /graphql.
    onRequest: async (req, reply) => {
      try {
        const token = bearerToken(req.headers.authorization);
        if (!token) throw unauthenticated('missing bearer token (Authorization: Bearer <jwt>)');
        const { userId } = await deps.verifier.verify(token);
        deps.requestLimiter?.take(userId);
        callers.set(req, userId);
      } catch (err) {
        return refuse(req, reply, err);
      }
    },
    onResponse: async (req, reply) => {
      deps.log.info(
        {
          requestId: req.id,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'mcp request',
      );
    },
    handler: async (req, reply) => {
      const userId = callers.get(req)!;
      const server = createMcpServer({
        command: {
          sql: deps.sql,
          userId,
          quotas: deps.quotas,
          now: deps.now,
          traceparent: validTraceparent(req.headers.traceparent as string | undefined),
        },
        history: deps.history,
        log: deps.log,
        requestId: req.id,
        now: deps.now ?? (() => new Date()),
      });
      // JSON answers, no session: nothing of the exchange outlives this request.
      const transport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.hijack();
      reply.raw.setHeader('x-request-id', req.id);
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    },
  });
  // Stateless: no server-initiated stream to GET and no session to DELETE.
  app.route({
    method: ['GET', 'DELETE'],
    url: MCP_PATH,
    handler: async (_req, reply) =>
      reply
        .status(405)
        .header('allow', 'POST')
        .send(rpcError(-32000, 'Method not allowed: this server is stateless, POST only')),
  });

  function refuse(req: FastifyRequest, reply: FastifyReply, err: unknown) {
    if (!(err instanceof AppError)) throw err;
    const status = mcpHttpStatus[err.code];
    if (status === 401) {
      // A token that was sent and refused is `invalid_token` (RFC 6750); none sent, no code.
      const invalid = req.headers.authorization ? ', error="invalid_token"' : '';
      reply.header(
        'www-authenticate',
        `Bearer resource_metadata="${origin(req)}${METADATA_PATH}"${invalid}`,
      );
    }
    if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
    return reply
      .status(status)
      .header('x-request-id', req.id)
      .send(rpcError(-32001, `${err.code}: ${err.message}`));
  }
}

const rpcError = (code: number, message: string) => ({
  jsonrpc: '2.0',
  error: { code, message },
  id: null,
});

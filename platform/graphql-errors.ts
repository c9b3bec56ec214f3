import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { databaseFailure } from '../db/sql.js';
import { AppError, ErrorCode } from '../domain/errors.js';
import type { Logger } from './logger.js';
import { requestContext } from './request-context.js';

/**
 * The one place where errors become GraphQL errors. Expected failures (AppError) keep their
 * code and field problems in `extensions`; GraphQL's own errors (syntax, validation) pass as
 * they are; anything else is masked for the client and logged with the request id.
 */
export function createErrorMasker(log: Logger) {
  return (error: unknown, _message: string): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? undefined) : error;
    if (original instanceof AppError)
      return toGraphQLError(original, error instanceof GraphQLError ? error : undefined);
    // A deadlock that outlived its retries, or a database outage: a code the client can act on.
    const database = databaseFailure(original);
    if (database) {
      log.warn(
        { err: original, requestId: requestContext.getStore()?.requestId },
        database.message,
      );
      return toGraphQLError(database, error instanceof GraphQLError ? error : undefined);
    }
    if (error instanceof GraphQLError && !error.originalError) return error;
    if (original instanceof GraphQLError) return original;
    // The client gets only the request id; the log line with that id has the real error.
    const request = requestContext.getStore();
    log.error(
      { err: original, requestId: request?.requestId, traceId: request?.traceId },
      'unexpected error',
    );
    return new GraphQLError('Unexpected error.', {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { code: graphqlCode[ErrorCode.INTERNAL], requestId: request?.requestId },
    });
  };
}

/** `extensions.code` of each catalog code: the catalog's own, but for INTERNAL (see there). */
export const graphqlCode: Record<ErrorCode, string> = {
  BAD_USER_INPUT: ErrorCode.BAD_USER_INPUT,
  UNAUTHENTICATED: ErrorCode.UNAUTHENTICATED,
  NOT_FOUND: ErrorCode.NOT_FOUND,
  CONFLICT: ErrorCode.CONFLICT,
  BAD_EVENT: ErrorCode.BAD_EVENT,
  UNAVAILABLE: ErrorCode.UNAVAILABLE,
  RATE_LIMITED: ErrorCode.RATE_LIMITED,
  QUOTA_EXCEEDED: ErrorCode.QUOTA_EXCEEDED,
  TOO_EXPENSIVE: ErrorCode.TOO_EXPENSIVE,
  FORBIDDEN: ErrorCode.FORBIDDEN,
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** graphql-js's own errors (before any resolver runs) carry these; see errorCodes below. */
export const GraphQLProtocolCode = {
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
} as const;

/**
 * The HTTP status of a response that failed with the code, or null for the GraphQL-over-HTTP
 * default (200, the error in `errors`): only what an HTTP client or proxy acts on (auth, retry)
 * changes the status.
 */
export const graphqlHttpStatus: Record<ErrorCode, number | null> = {
  BAD_USER_INPUT: null,
  UNAUTHENTICATED: 401,
  NOT_FOUND: null,
  CONFLICT: null,
  BAD_EVENT: null,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: null,
  TOO_EXPENSIVE: null,
  FORBIDDEN: null,
  INTERNAL: null,
};

export function toGraphQLError(err: AppError, located?: GraphQLError): GraphQLError {
  const status = graphqlHttpStatus[err.code];
  return new GraphQLError(err.message, {
    ...(located ? { nodes: located.nodes, path: located.path } : {}),
    extensions: {
      code: graphqlCode[err.code],
      ...(err.problems.length ? { problems: err.problems } : {}),
      ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
      ...(status
        ? {
            http: {
              status,
              ...(err.retryAfterSeconds
                ? { headers: { 'retry-after': String(err.retryAfterSeconds) } }
                : {}),
            },
          }
        : {}),
    },
  });
}

/**
 * GraphQL's own errors (variable coercion, validation) reach the client without a code; this
 * plugin gives each one, so that every error a client sees has `extensions.code`. graphql-js
 * tells them apart only by their messages.
 */
export const errorCodes: Plugin = {
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
    setResult({
      ...result,
      errors: result.errors.map((e) => (e instanceof GraphQLError ? withCode(e) : e)),
    });
  },
};

function withCode(error: GraphQLError): GraphQLError {
  if (error.extensions.code) return error;
  const code = error.message.startsWith('Syntax Error')
    ? GraphQLProtocolCode.GRAPHQL_PARSE_FAILED
    : // Unknown or badly typed fields of a variable's value: the client sent bad input.
      error.message.startsWith('Variable "') || / by type "\w+Input"\.$/.test(error.message)
      ? graphqlCode.BAD_USER_INPUT
      : GraphQLProtocolCode.GRAPHQL_VALIDATION_FAILED;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

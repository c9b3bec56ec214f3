// The one error catalog. Codes are stable and never reused; each edge maps them to its own
// protocol in exactly one place, with a total mapping (a Record over ErrorCode, so a new code
// does not compile until every edge says what it means there):
// - GraphQL `extensions.code` and HTTP status: platform/graphql-errors.ts
// - MCP tool errors and the MCP route's HTTP status: api/mcp/results.ts, api/mcp/route.ts
// - plain HTTP between services (audit-service, Dapr handlers): platform/http-errors.ts
// - Temporal ApplicationFailure (type, retryable or not): activities/failures.ts, with the
//   failure types declared once below (TemporalFailureType).
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  /** An incoming event that can never be processed (malformed, unknown version). */
  BAD_EVENT: 'BAD_EVENT',
  /** A dependency (database, Temporal, Dapr) did not answer; retrying may help. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Too many requests from one caller in a short time; retry after `retryAfterSeconds`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A per-user limit (tasks, series, reminders, sockets) is reached; free some up first. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** A query or argument would cost more work than one request may spend. */
  TOO_EXPENSIVE: 'TOO_EXPENSIVE',
  /** The caller is authenticated but may not do this (e.g. a service calling a route not its own). */
  FORBIDDEN: 'FORBIDDEN',
  /**
   * Anything unexpected (a bug, a dependency's malformed answer): the caller sees only a request
   * id, the log line with that id has the error. GraphQL spells it INTERNAL_SERVER_ERROR, the
   * code GraphQL servers (graphql-yoga's own masking included) use for it.
   */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldProblem {
  /** Path of the offending field, e.g. `input.dueAt`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: FieldProblem[] = [],
    /** For UNAVAILABLE and RATE_LIMITED: when a retry may succeed (HTTP `Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** At most this much of a rejected value is quoted back in an error message. */
export const QUOTE_LIMIT = 40;

/**
 * A short, printable quote of what a caller sent: error messages never echo a whole input
 * (aliases would multiply a megabyte string into every error of a response).
 */
export function quote(value: string): string {
  // Control characters would break log lines and terminals; a space keeps the shape.
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return JSON.stringify(flat.length > QUOTE_LIMIT ? `${flat.slice(0, QUOTE_LIMIT)}…` : flat);
}

export const badInput = (problems: FieldProblem[]): AppError =>
  new AppError(
    ErrorCode.BAD_USER_INPUT,
    problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    problems,
  );
export const unauthenticated = (why: string): AppError =>
  new AppError(ErrorCode.UNAUTHENTICATED, why);
export const notFound = (what: string): AppError =>
  new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
/** A dependency did not answer; the client may retry after `retryAfterSeconds`. */
export const unavailable = (why: string, retryAfterSeconds = 5): AppError =>
  new AppError(ErrorCode.UNAVAILABLE, why, [], retryAfterSeconds);
export const rateLimited = (why: string, retryAfterSeconds: number): AppError =>
  new AppError(ErrorCode.RATE_LIMITED, why, [], Math.max(1, Math.ceil(retryAfterSeconds)));
export const quotaExceeded = (what: string, limit: number, path?: string): AppError =>
  new AppError(
    ErrorCode.QUOTA_EXCEEDED,
    `${what}: the limit is ${limit}`,
    path ? [{ path, message: `the limit is ${limit}` }] : [],
  );
export const tooExpensive = (why: string, path?: string): AppError =>
  new AppError(ErrorCode.TOO_EXPENSIVE, why, path ? [{ path, message: why }] : []);
export const forbidden = (why: string): AppError => new AppError(ErrorCode.FORBIDDEN, why);

/** An optimistic-concurrency check failed: `kind` (task, series) `id` has moved on. */
export const versionConflict = (
  kind: string,
  id: string,
  version: number,
  expected: number,
): AppError =>
  new AppError(
    ErrorCode.CONFLICT,
    `${kind} ${id} is at version ${version}, not ${expected}: reload it and retry`,
    [{ path: 'input.expectedVersion', message: `the ${kind} is at version ${version}` }],
  );

/**
 * The `type` of every ApplicationFailure an activity throws, declared once: a catalog error
 * travels under its code (activities/failures.ts), the others are the activities' own outcomes.
 */
export const TemporalFailureType = {
  ...ErrorCode,
  /** The webhook URL points somewhere Tickler does not send to (a private address, not https). */
  WEBHOOK_DESTINATION_REFUSED: 'WebhookDestinationRefused',
  /** The webhook answered 4xx (not 408 or 429) or a redirect: sending again would get the same. */
  WEBHOOK_REJECTED: 'WebhookRejected',
  /** A digest the workflow names is not in the database: nothing to deliver, ever. */
  NO_DIGEST: 'NoDigest',
} as const;
export type TemporalFailureType = (typeof TemporalFailureType)[keyof typeof TemporalFailureType];

/**
 * Whether Temporal may retry an activity that failed with this type. Only what cannot change by
 * waiting is final; an unexpected error (INTERNAL) or a lost race (CONFLICT) may pass.
 */
export const temporalRetryable: Record<TemporalFailureType, boolean> = {
  BAD_USER_INPUT: false,
  UNAUTHENTICATED: false,
  NOT_FOUND: false,
  CONFLICT: true,
  BAD_EVENT: false,
  UNAVAILABLE: true,
  RATE_LIMITED: true,
  QUOTA_EXCEEDED: false,
  TOO_EXPENSIVE: false,
  FORBIDDEN: false,
  INTERNAL: true,
  WebhookDestinationRefused: false,
  WebhookRejected: false,
  NoDigest: false,
};

/** For activity options (`retry.nonRetryableErrorTypes`): the types no retry can cure. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly TemporalFailureType[] = Object.values(
  TemporalFailureType,
).filter((t) => !temporalRetryable[t]);

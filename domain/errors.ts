// The one error catalog. Codes are stable and never reused; each edge (GraphQL, Temporal
// activity, Dapr handler) maps AppError to its own protocol in exactly one place.
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  /** An incoming event that can never be processed (malformed, unknown version). */
  BAD_EVENT: 'BAD_EVENT',
  /** A dependency (database, Temporal, Dapr) did not answer; retrying may help. */
  UNAVAILABLE: 'UNAVAILABLE',
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
  ) {
    super(message);
  }
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

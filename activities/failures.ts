import { ApplicationFailure } from '@temporalio/common';
import { databaseFailure } from '../db/sql.js';
import { AppError, temporalRetryable, type TemporalFailureType } from '../domain/errors.js';

// The Temporal edge of the error catalog: the one place where what an activity throws becomes an
// ApplicationFailure. A catalog error (or a database failure with a catalog meaning) travels
// under its code, final or retryable as domain/errors.ts lists; an activity's own outcomes are
// thrown with `failure`; anything else passes as it is, for Temporal to retry under the
// activity's policy.

/** An ApplicationFailure of a declared type, final or not as the catalog lists it. */
export function failure(
  type: TemporalFailureType,
  message: string,
  cause?: Error,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: !temporalRetryable[type],
    ...(cause ? { cause } : {}),
  });
}

/** What `err` becomes when it leaves an activity. */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const known = err instanceof AppError ? err : databaseFailure(err);
  if (!known) return err;
  return ApplicationFailure.create({
    type: known.code,
    message: known.message,
    nonRetryable: !temporalRetryable[known.code],
    ...(err instanceof Error ? { cause: err } : {}),
  });
}

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

/** The same activities, each throwing through toActivityFailure. */
export function withCatalogFailures<A extends Activities>(activities: A): A {
  return Object.fromEntries(
    Object.entries(activities).map(([name, run]) => [
      name,
      async (...args: never[]) => {
        try {
          return await run(...args);
        } catch (err) {
          throw toActivityFailure(err);
        }
      },
    ]),
  ) as A;
}

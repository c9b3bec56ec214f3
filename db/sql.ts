import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { AppError, ErrorCode, unavailable } from '../domain/errors.js';

export type Sql = postgres.Sql;
/** A connection or a transaction: queries that must join the caller's transaction take this. */
export type Db = postgres.Sql | postgres.TransactionSql;

export interface SqlOptions {
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell the processes apart. */
  applicationName: string;
}

export function createSql(url: string, opts: SqlOptions): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    transform: postgres.camel,
    connection: { application_name: opts.applicationName },
    onnotice: () => {},
    // postgres.js waits 30 s for a connection by default; a client waiting for an answer is
    // better served by a quick UNAVAILABLE it can retry.
    connect_timeout: 5,
  });
}

// --- Failures a client can act on ----------------------------------------------------------

/**
 * SQLSTATEs after which PostgreSQL has rolled the whole transaction back and running it again
 * may succeed: a deadlock (40P01) or a serialization failure (40001).
 */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Connection-level failures: the server is down, restarting or refusing connections (class
 * 08, admin/crash shutdown 57P01-57P03, too many connections 53300), a socket that cannot
 * connect, or a postgres.js connection that was closed, destroyed or timed out.
 */
const OUTAGE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
]);

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const isRetryable = (err: unknown): boolean => RETRYABLE.has(codeOf(err) ?? '');

/** When a client may try again after the database was unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The client-facing meaning of a database failure, or undefined for any other error: a lost
 * race is CONFLICT (retry the request), an unreachable database UNAVAILABLE with Retry-After.
 * Every edge that masks unexpected errors asks this first (platform/graphql-errors.ts).
 */
export function databaseFailure(err: unknown): AppError | undefined {
  const code = codeOf(err);
  if (code === undefined) return undefined;
  if (RETRYABLE.has(code)) return lostRace();
  if (OUTAGE_CODES.has(code) || code.startsWith('08'))
    return unavailable('the database is unavailable; retry later', DATABASE_RETRY_AFTER_SECONDS);
  return undefined;
}

const lostRace = () =>
  new AppError(
    ErrorCode.CONFLICT,
    'a concurrent change to the same data won; nothing was changed: retry the request',
  );

export interface TransactionOptions {
  /** Runs in all, the first included. */
  attempts?: number;
  /** The first back-off; each further one doubles, each with full jitter. */
  backoffMs?: number;
}

const isOutage = (err: unknown): boolean => {
  const code = codeOf(err);
  return code !== undefined && (OUTAGE_CODES.has(code) || code.startsWith('08'));
};

/**
 * `sql.begin(fn)`, run again when PostgreSQL aborted it for a deadlock or a serialization
 * failure (it rolled everything back, so `fn` starts afresh), with jittered exponential
 * back-off so that the two losers of a race do not meet again at once. When every attempt
 * lost, the client gets CONFLICT and may retry. `fn` must have no effect outside the
 * transaction (commands write events to the outbox, inside it).
 *
 * It also keeps a lost connection from taking the process down: postgres.js 3.4.9 writes to a
 * transaction's connection after it has closed (begin's ROLLBACK when `fn` fails, or `fn`'s own
 * next query), and that write throws from a timer, outside any promise (upstream issues #1154,
 * #1208; no release has the fix). begin itself already rejects when its connection closes; so
 * once the connection is gone, `fn`'s queries and `fn` itself never settle, and nothing more is
 * written to it. The server rolled the transaction back with the session.
 */
export async function transaction<T>(
  sql: Sql,
  fn: (tx: Db) => Promise<T>,
  { attempts = 4, backoffMs = 20 }: TransactionOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(sql, fn);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (attempt >= attempts) throw lostRace();
      await sleep(Math.random() * backoffMs * 2 ** (attempt - 1));
    }
  }
}

interface ConnectionState {
  lost: boolean;
}

/** A promise that never settles: what is left of a transaction whose connection is gone. */
const abandoned = (): Promise<never> => new Promise<never>(() => {});

async function once<T>(sql: Sql, fn: (tx: Db) => Promise<T>): Promise<T> {
  const state: ConnectionState = { lost: false };
  try {
    return (await sql.begin((tx) =>
      fn(guarded(tx, state)).catch((err: unknown) =>
        state.lost ? abandoned() : Promise.reject(err),
      ),
    )) as T;
  } catch (err) {
    if (isOutage(err)) state.lost = true;
    throw err;
  }
}

/** `tx`, whose queries stop at the first sign of a lost connection (see transaction). */
function guarded(tx: postgres.TransactionSql, state: ConnectionState): Db {
  const guard = (result: unknown): unknown => {
    if (!(result instanceof Promise)) return result;
    const query = result as Promise<unknown>;
    return new Proxy(query, {
      get(target, prop, receiver) {
        if (prop !== 'then') return Reflect.get(target, prop, receiver) as unknown;
        return (onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) => {
          if (state.lost) return abandoned();
          return target.then(onFulfilled, (err: unknown) => {
            if (isOutage(err)) {
              state.lost = true;
              return abandoned();
            }
            if (onRejected) return onRejected(err);
            throw err;
          });
        };
      },
    });
  };
  return new Proxy(tx, {
    apply: (target, thisArg, args) => guard(Reflect.apply(target, thisArg, args)),
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      return prop === 'unsafe' && typeof value === 'function'
        ? (...args: unknown[]) => guard((value as (...a: unknown[]) => unknown)(...args))
        : value;
    },
  }) as Db;
}

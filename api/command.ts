import type { UserId } from '../domain/ids.js';
import { notFound, versionConflict } from '../domain/errors.js';
import type { Sql } from '../db/sql.js';
import type { z } from 'zod';
import { DEFAULT_QUOTAS, type Quotas } from './limits/quotas.js';

// The command kernel every slice's commands share: who calls, the database, the trace, the
// limits and the clock; and the two checks every command on an owned aggregate makes.

/** What every command needs: the caller, the database and the request's trace. */
export interface CommandContext {
  sql: Sql;
  userId: UserId;
  traceparent?: string | undefined;
  /** The deployment's per-user limits; DEFAULT_QUOTAS when not given. */
  quotas?: Quotas | undefined;
  /** The clock a dueText ("tomorrow", "in 2 hours") is read against; the real one if absent. */
  now?: (() => Date) | undefined;
}

export const quotasOf = (ctx: CommandContext): Quotas => ctx.quotas ?? DEFAULT_QUOTAS;
export const nowOf = (ctx: CommandContext): Date => (ctx.now ? ctx.now() : new Date());

/** A malformed id names nothing the caller owns: NOT_FOUND, like another user's `kind`. */
export function parseOwnedId<S extends z.ZodType>(
  schema: S,
  kind: string,
  id: string,
): z.output<S> {
  const parsed = schema.safeParse(id);
  if (!parsed.success) throw notFound(`${kind} ${id}`);
  return parsed.data;
}

/** What a lock found: NOT_FOUND when nothing, CONFLICT when not at the expected version. */
export function ownedAtVersion<T extends { version: number }>(
  kind: string,
  id: string,
  found: T | undefined,
  expectedVersion?: number | null,
): T {
  if (!found) throw notFound(`${kind} ${id}`);
  if (expectedVersion != null && expectedVersion !== found.version)
    throw versionConflict(kind, id, found.version, expectedVersion);
  return found;
}

import type { UserId } from '../domain/ids.js';
import type { Sql } from '../db/sql.js';
import type { WebhookDestinations } from '../platform/webhook-destination.js';
import type { CommandContext } from './command.js';
import type { HistoryClient } from './history/history-client.js';
import type { Quotas } from './limits/quotas.js';

/** What every resolver gets: the authenticated caller and the dependencies it may use. */
export interface ApiContext {
  userId: UserId;
  traceparent: string | undefined;
  sql: Sql;
  /** The audit service's history, through Dapr service invocation. */
  history: HistoryClient;
  /** Where a saved webhook URL may point (the same check the worker makes before sending). */
  webhooks: WebhookDestinations;
  /** Per-user limits the commands check before they insert. */
  quotas: Quotas;
  /** The clock a dueText ("tomorrow at 5pm") is read against: the api's, stopped in tests. */
  now: () => Date;
}

/** The command kernel's context (api/command.ts) of a resolver's request. */
export const commandContext = (ctx: ApiContext): CommandContext => ({
  sql: ctx.sql,
  userId: ctx.userId,
  traceparent: ctx.traceparent,
  quotas: ctx.quotas,
  now: ctx.now,
});

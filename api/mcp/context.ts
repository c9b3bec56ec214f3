import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Logger } from '../../platform/logger.js';
import type { HistoryClient } from '../history/history-client.js';
import type { CommandContext } from '../command.js';
import { toToolError, toolFailure } from './results.js';

/** What every tool gets: the authenticated caller (from the token, never an argument). */
export interface ToolContext {
  command: CommandContext;
  /** The audit service's history (task_history), as GraphQL's history reads it. */
  history: HistoryClient;
  log: Logger;
  requestId: string;
  /** The clock natural-language dates are read against ("tomorrow", "in 5 minutes"). */
  now: () => Date;
}

/** Runs a tool body; an error it throws becomes an `isError` result from the catalog. */
export async function guarded(
  ctx: ToolContext,
  body: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    return toolFailure(toToolError(err, ctx.log, ctx.requestId));
  }
}

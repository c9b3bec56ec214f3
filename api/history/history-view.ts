import {
  encodeHistoryCursor,
  HISTORY_DEFAULT_PAGE,
  type HistoryArgs,
  type HistoryEntry,
} from '../../domain/history.js';
import type { ApiContext } from '../context.js';

export interface HistoryConnection {
  edges: { cursor: string; node: HistoryEntry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A page of the caller's history from the audit service. The caller's user id scopes the
 * request, so another user's task id finds nothing, exactly like a task without history.
 * `taskId` (Task.history) wins over the filter's.
 */
export async function historyConnection(
  ctx: Pick<ApiContext, 'userId' | 'history' | 'traceparent'>,
  args: HistoryArgs,
  taskId?: string,
): Promise<HistoryConnection> {
  const filter = args.filter ?? {};
  const page = await ctx.history.page(
    ctx.userId,
    {
      subject: taskId ?? filter.taskId ?? undefined,
      types: filter.actions ?? undefined,
      since: filter.since ?? undefined,
      until: filter.until ?? undefined,
      first: args.first ?? HISTORY_DEFAULT_PAGE,
      after: args.after ?? undefined,
    },
    { traceparent: ctx.traceparent },
  );
  return {
    edges: page.entries.map((node) => ({ cursor: encodeHistoryCursor(node.sequence), node })),
    pageInfo: page.pageInfo,
  };
}

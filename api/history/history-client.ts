import { z } from 'zod';
import { invokeGet, NoAnswer, type DaprInvoker } from '../../platform/dapr-invoke.js';
import { AppError, ErrorCode, unavailable } from '../../domain/errors.js';
import { eventTypes, type HistoryPage, type HistoryQuery } from '../../domain/history.js';
import type { UserId } from '../../domain/ids.js';

// The api's view of the audit service: its history route, called through the api's own Dapr
// sidecar (service invocation), never its database. Every failure to get an answer is
// UNAVAILABLE, so a client sees "try again" rather than a masked crash.

export interface HistoryRequest extends Omit<HistoryQuery, 'beforeSequence'> {
  /** An opaque cursor from a previous page, passed through. */
  after?: string | undefined;
}

export interface HistoryClient {
  page(
    userId: UserId,
    q: HistoryRequest,
    ctx?: { traceparent?: string | undefined },
  ): Promise<HistoryPage>;
}

export interface HistoryClientOptions {
  daprHost: string;
  daprHttpPort: number;
  /** The sidecar's DAPR_API_TOKEN, when it has one. */
  daprApiToken?: string | undefined;
  /** The audit service's Dapr app id. */
  appId?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const Entry = z.object({
  id: z.string(),
  sequence: z.number(),
  action: z.enum(eventTypes),
  actor: z.object({ kind: z.enum(['USER', 'SYSTEM']), id: z.string().nullable() }),
  subject: z.string(),
  taskId: z.string().nullable(),
  occurredAt: z.string(),
  recordedAt: z.string(),
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
});
const Page = z.object({
  entries: z.array(Entry),
  pageInfo: z.object({ endCursor: z.string().nullable(), hasNextPage: z.boolean() }),
});
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

// The catalog's UNAVAILABLE carries a retry time: a client (or a model) knows when to try again.
const historyUnavailableError = (why: string): AppError =>
  unavailable(`the audit history is unavailable (${why}); try again`);

/** For an api built without an audit service (tests of other features). */
export const historyUnavailable: HistoryClient = {
  page: () => Promise.reject(historyUnavailableError('no audit service configured')),
};

const isCode = (c: string): c is ErrorCode => Object.hasOwn(ErrorCode, c);

export function createHistoryClient(opts: HistoryClientOptions): HistoryClient {
  const { daprHost, daprHttpPort, appId = 'audit-service', timeoutMs = 5_000 } = opts;
  const dapr: DaprInvoker = {
    daprHttpUrl: `http://${daprHost}:${daprHttpPort}`,
    appId,
    timeoutMs,
    apiToken: opts.daprApiToken,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  return {
    async page(userId, q, ctx = {}) {
      const params = new URLSearchParams({ first: String(q.first) });
      if (q.subject) params.set('subject', q.subject);
      if (q.types?.length) params.set('types', q.types.join(','));
      if (q.since) params.set('since', q.since.toISOString());
      if (q.until) params.set('until', q.until.toISOString());
      if (q.after) params.set('after', q.after);
      let res: Response;
      try {
        res = await invokeGet(dapr, `history/users/${encodeURIComponent(userId)}?${params}`, {
          headers: ctx.traceparent ? { traceparent: ctx.traceparent } : {},
        });
      } catch (err) {
        throw err instanceof NoAnswer ? historyUnavailableError(err.message) : err;
      }
      const body: unknown = await res.json().catch(() => undefined);
      if (res.ok) {
        const page = Page.safeParse(body);
        // A malformed answer is our own bug, not the caller's: let it surface as unexpected.
        if (!page.success) throw new Error(`audit-service history answer: ${page.error.message}`);
        return page.data as HistoryPage;
      }
      // The audit service's own errors carry our codes; anything else is Dapr failing to reach
      // it (ERR_DIRECT_INVOKE: not registered, not answering).
      const failure = ErrorBody.safeParse(body);
      if (failure.success && isCode(failure.data.error.code) && res.status < 500)
        throw new AppError(
          failure.data.error.code,
          failure.data.error.message,
          failure.data.error.problems,
        );
      if (failure.success && failure.data.error.code === ErrorCode.INTERNAL)
        throw new Error(`audit-service failed: ${failure.data.error.message}`);
      throw historyUnavailableError(`status ${res.status}`);
    },
  };
}

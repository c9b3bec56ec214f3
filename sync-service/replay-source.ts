import { z } from 'zod';
import { AppError, ErrorCode } from '../domain/errors.js';
import { parseEvent, type TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';

/** Where a subscription finds the events it did not see live: the audit log. */
export interface ReplaySource {
  /** The user's events with a sequence above `after`, ascending; and the highest one recorded. */
  eventsAfter(
    userId: UserId,
    after: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ events: TicklerEvent[]; head: number }>;
}

const Page = z.object({ events: z.array(z.unknown()), head: z.number().int().nonnegative() });

export interface AuditReplayDeps {
  /** The sync service's own Dapr sidecar. */
  daprHttpUrl: string;
  /** The audit service's Dapr app id. */
  auditAppId: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Asks the audit service through Dapr service invocation (GET /users/:id/events), so the sync
 * service never reads the audit tables. Every event is parsed by the one event contract.
 */
export function createAuditReplaySource({
  daprHttpUrl,
  auditAppId,
  timeoutMs = 5_000,
  fetch: fetchFn = fetch,
}: AuditReplayDeps): ReplaySource {
  return {
    async eventsAfter(userId, after, limit, signal) {
      const url =
        `${daprHttpUrl}/v1.0/invoke/${auditAppId}/method/users/${encodeURIComponent(userId)}` +
        `/events?after=${after}&limit=${limit}`;
      const timeout = AbortSignal.timeout(timeoutMs);
      let res: Response;
      try {
        res = await fetchFn(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (err) {
        throw unavailable(`no answer (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!res.ok) throw unavailable(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const page = Page.safeParse(await res.json());
      if (!page.success) throw unavailable(`unexpected answer: ${page.error.message}`);
      const events = page.data.events.map((raw) => {
        const parsed = parseEvent(raw);
        if (!parsed.ok) throw unavailable(`it returned an unreadable event: ${parsed.reason}`);
        return parsed.event;
      });
      return { events, head: page.data.head };
    },
  };
}

const unavailable = (why: string): AppError =>
  new AppError(ErrorCode.UNAVAILABLE, `cannot replay missed events from the audit log: ${why}`);

import { z } from 'zod';
import { AppError, ErrorCode } from '../domain/errors.js';
import { parseEvent, type TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import { invokeGet, NoAnswer, type DaprInvoker } from '../platform/dapr-invoke.js';

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

/**
 * Asks the audit service through Dapr service invocation (GET /replay/users/:id), so the sync
 * service never reads the audit tables. Every event is parsed by the one event contract.
 */
export function createAuditReplaySource(audit: DaprInvoker): ReplaySource {
  return {
    async eventsAfter(userId, after, limit, signal) {
      let res: Response;
      try {
        res = await invokeGet(
          audit,
          `replay/users/${encodeURIComponent(userId)}?after=${after}&limit=${limit}`,
          { signal },
        );
      } catch (err) {
        throw err instanceof NoAnswer ? unavailable(err.message) : err;
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

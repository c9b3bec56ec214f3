import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '../domain/errors.js';
import { parseEvent, type TicklerEvent } from '../domain/events.js';
import type { Logger } from './logger.js';

export type TopicHandler = (event: TicklerEvent) => Promise<void>;

/**
 * Dapr delivers each subscribed event as a POST to the route named in the subscription
 * (dapr/subscriptions/). This is the one place where outcomes map to Dapr's answers:
 * SUCCESS: done; DROP: can never succeed (malformed, unknown type); RETRY: try again later.
 */
export function registerTopicRoute(
  app: FastifyInstance,
  route: string,
  handler: TopicHandler,
  log: Logger,
): void {
  app.post(route, async (req) => {
    const parsed = parseEvent(req.body);
    if (!parsed.ok) {
      log.warn({ route, reason: parsed.reason }, 'dropping malformed event');
      return { status: 'DROP' };
    }
    try {
      await handler(parsed.event);
      return { status: 'SUCCESS' };
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.BAD_EVENT) {
        log.warn({ route, eventId: parsed.event.id, reason: err.message }, 'dropping event');
        return { status: 'DROP' };
      }
      log.error({ err, route, eventId: parsed.event.id }, 'event handling failed; Dapr will retry');
      return { status: 'RETRY' };
    }
  });
}

export interface DeadLetter {
  id: string;
  topic: string | null;
  body: unknown;
}

/**
 * The dead-letter topic's route: whatever arrives is by definition not a valid event, so it is
 * handed over as it is; only a failure to keep it asks Dapr to retry.
 */
export function registerDeadLetterRoute(
  app: FastifyInstance,
  route: string,
  keep: (message: DeadLetter) => Promise<void>,
): void {
  app.post(route, async (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = typeof body.id === 'string' ? body.id : JSON.stringify(body).slice(0, 200);
    const topic = typeof body.topic === 'string' ? body.topic : null;
    try {
      await keep({ id, topic, body });
      return { status: 'SUCCESS' };
    } catch {
      return { status: 'RETRY' };
    }
  });
}

/** Dapr posts CloudEvents with their own media type; parse it as JSON. */
export function acceptCloudEvents(app: FastifyInstance): void {
  app.addContentTypeParser(
    ['application/cloudevents+json', 'application/cloudevents-batch+json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { appendDeadLetter } from '../db/audit.js';
import type { Sql } from '../db/sql.js';
import { Topic } from '../domain/events.js';
import {
  acceptCloudEvents,
  registerDeadLetterRoute,
  registerTopicRoute,
} from '../platform/dapr-subscriber.js';
import { requireDaprAppToken } from '../platform/dapr-tokens.js';
import { registerHealth, type ReadinessCheck } from '../platform/health.js';
import { createHttpApp } from '../platform/http.js';
import { registerHttpErrors } from '../platform/http-errors.js';
import { registerMetrics } from '../platform/metrics.js';
import type { Logger } from '../platform/logger.js';
import { createAppendEvent } from './append-event.js';
import { registerHistoryRoutes } from './history-routes.js';

export interface AuditDeps {
  sql: Sql;
  log: Logger;
  /** What the sidecar sends in `dapr-api-token` on every call (APP_API_TOKEN). */
  appApiToken: string;
  readiness?: Record<string, ReadinessCheck>;
}

/** Routes named in dapr/subscriptions/audit-service.yaml. */
export const auditRoutes = {
  [Topic.taskEvents]: '/events/task-events',
  [Topic.reminders]: '/events/reminders',
} as const;

/** Where Dapr forwards what consumers dropped (dapr/subscriptions/, deadLetterTopic). */
export const DEAD_LETTER_ROUTE = '/events/dead-letters';

/**
 * Every route but health and metrics is for the audit service's own sidecar: event deliveries,
 * and the history and replay reads other apps make through service invocation. They require
 * the app token; the listener is bound to loopback (the pod), never exposed.
 */
export function buildAuditService(deps: AuditDeps): FastifyInstance {
  const { sql, log, readiness = {} } = deps;
  const app = createHttpApp(log);
  registerMetrics(app, 'audit-service');
  registerHttpErrors(app, log);
  const append = createAppendEvent({ sql, log });
  void app.register(async (dapr) => {
    requireDaprAppToken(dapr, deps.appApiToken);
    acceptCloudEvents(dapr);
    for (const route of Object.values(auditRoutes)) registerTopicRoute(dapr, route, append, log);
    registerDeadLetterRoute(dapr, DEAD_LETTER_ROUTE, async (message) => {
      const kept = await appendDeadLetter(sql, message);
      log.warn({ messageId: message.id, topic: message.topic, kept }, 'dead letter kept');
    });
    // Read by the api (Task.history, history) and the sync-service (replay) through Dapr
    // service invocation; which app may call which is the access-control policy's (dapr/config.yaml).
    registerHistoryRoutes(dapr, sql);
  });
  registerHealth(app, { postgres: () => sql`SELECT 1`, ...readiness });
  return app;
}

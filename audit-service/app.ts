import type { FastifyInstance } from 'fastify';
import { appendDeadLetter } from '../db/audit.js';
import type { Sql } from '../db/sql.js';
import { Topic } from '../domain/events.js';
import {
  acceptCloudEvents,
  registerDeadLetterRoute,
  registerTopicRoute,
} from '../platform/dapr-subscriber.js';
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
  readiness?: Record<string, ReadinessCheck>;
}

/** Routes named in dapr/subscriptions/audit-service.yaml. */
export const auditRoutes = {
  [Topic.taskEvents]: '/events/task-events',
  [Topic.reminders]: '/events/reminders',
} as const;

/** Where Dapr forwards what consumers dropped (dapr/subscriptions/, deadLetterTopic). */
export const DEAD_LETTER_ROUTE = '/events/dead-letters';

export function buildAuditService({ sql, log, readiness = {} }: AuditDeps): FastifyInstance {
  const app = createHttpApp(log);
  registerMetrics(app, 'audit-service');
  registerHttpErrors(app, log);
  acceptCloudEvents(app);
  const append = createAppendEvent({ sql, log });
  for (const route of Object.values(auditRoutes)) registerTopicRoute(app, route, append, log);
  registerDeadLetterRoute(app, DEAD_LETTER_ROUTE, async (message) => {
    const kept = await appendDeadLetter(sql, message);
    log.warn({ messageId: message.id, topic: message.topic, kept }, 'dead letter kept');
  });
  // Read by the api (Task.history, history) and the sync-service (replay) through Dapr service
  // invocation.
  registerHistoryRoutes(app, sql);
  registerHealth(app, { postgres: () => sql`SELECT 1`, ...readiness });
  return app;
}

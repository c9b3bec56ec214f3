import type { FastifyInstance } from 'fastify';
import { listEventsAfter, listHistory } from '../db/audit.js';
import type { Sql } from '../db/sql.js';
import {
  decodeHistoryCursor,
  encodeHistoryCursor,
  EventsQueryParams,
  HistoryQueryParams,
  toHistoryEntry,
  type EventsPage,
  type HistoryPage,
} from '../domain/history.js';
import { UserId } from '../domain/ids.js';
import { parseInput } from '../domain/validation.js';

// Read routes of the log, called through Dapr service invocation by the api (history) and the
// sync-service (replay). The user comes from the path: the caller authenticated them (the
// api from the request's JWT, the sync-service from the socket's). That trust rests on who can
// call: only the audit service's sidecar (app token, loopback listener), and through it only
// the apps the access-control policy names. Every query is filtered by that user, so one
// user's entries never appear in another's answer.

export function registerHistoryRoutes(app: FastifyInstance, sql: Sql): void {
  app.get<{ Params: { userId: string }; Querystring: unknown }>(
    '/history/users/:userId',
    async (req): Promise<HistoryPage> => {
      const userId = parseInput(UserId, req.params.userId, 'userId');
      const q = parseInput(HistoryQueryParams, req.query, '');
      const rows = await listHistory(sql, userId, {
        subject: q.subject,
        types: q.types,
        since: q.since,
        until: q.until,
        beforeSequence: q.after ? decodeHistoryCursor(q.after) : undefined,
        limit: q.first + 1,
      });
      const entries = rows.slice(0, q.first).map((r) => toHistoryEntry(r.event, r.recordedAt));
      const last = entries.at(-1);
      return {
        entries,
        pageInfo: {
          endCursor: last ? encodeHistoryCursor(last.sequence) : null,
          hasNextPage: rows.length > q.first,
        },
      };
    },
  );

  app.get<{ Params: { userId: string }; Querystring: unknown }>(
    '/replay/users/:userId',
    async (req): Promise<EventsPage> => {
      const userId = parseInput(UserId, req.params.userId, 'userId');
      const q = parseInput(EventsQueryParams, req.query, '');
      return listEventsAfter(sql, userId, q.after, q.limit);
    },
  );
}

import { z } from 'zod';
import { badInput } from '../../domain/errors.js';
import type { UserId } from '../../domain/ids.js';
import {
  SERIES_DEFAULT_PAGE,
  seriesSearchWords,
  type SeriesListArgs,
} from '../../domain/series-query.js';
import type { Series } from '../../domain/series.js';
import { listSeries, type SeriesKeyset } from '../../db/series.js';
import type { Sql } from '../../db/sql.js';

/** A keyset plus the search it belongs to (`q`): a cursor is only valid for the same words. */
const CursorShape = z.object({
  score: z.number().int().min(0).max(10),
  createdAt: z
    .string()
    .max(40)
    .refine((s) => !Number.isNaN(Date.parse(s))),
  id: z.uuid(),
  q: z.string().max(400),
});

const encodeCursor = (key: SeriesKeyset, q: string): string =>
  Buffer.from(JSON.stringify({ ...key, q })).toString('base64url');

function decodeCursor(text: string, q: string): SeriesKeyset {
  const notOurs = () => badInput([{ path: 'after', message: 'is not a cursor from this API' }]);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  const c = CursorShape.safeParse(raw);
  if (!c.success) throw notOurs();
  if (c.data.q !== q)
    throw badInput([{ path: 'after', message: 'belongs to another search; start again' }]);
  return { score: c.data.score, createdAt: c.data.createdAt, id: c.data.id };
}

export interface SeriesConnection {
  edges: { cursor: string; node: Series }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A page of the caller's series (args parsed by SeriesListArgs). */
export async function listSeriesConnection(
  sql: Sql,
  userId: UserId,
  args: SeriesListArgs,
): Promise<SeriesConnection> {
  const words = args.search ? seriesSearchWords(args.search) : undefined;
  if (args.search && !words)
    throw badInput([{ path: 'search', message: 'must contain a letter or a digit' }]);
  const q = words?.join(' ') ?? '';
  const limit = args.first ?? SERIES_DEFAULT_PAGE;
  const rows = await listSeries(sql, userId, {
    words,
    states: args.states ?? undefined,
    after: args.after ? decodeCursor(args.after, q) : undefined,
    limit: limit + 1,
  });
  const edges = rows
    .slice(0, limit)
    .map((r) => ({ cursor: encodeCursor(r.key, q), node: r.series }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

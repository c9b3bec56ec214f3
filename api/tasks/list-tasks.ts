import { z } from 'zod';
import { badInput } from '../../domain/errors.js';
import {
  cappedTotal,
  DEFAULT_PAGE_SIZE,
  searchTerms,
  TOTAL_COUNT_CAP,
  totalFromFirstPage,
  type TaskOrder,
  type TasksArgs,
  type TotalCount,
} from '../../domain/task-query.js';
import type { Task } from '../../domain/task.js';
import type { UserId } from '../../domain/ids.js';
import { countTasks, listTasks, type Keyset } from '../../db/tasks.js';
import type { Sql } from '../../db/sql.js';

/** A keyset plus the order it belongs to (`o`): a cursor is only valid for the same order. */
type Cursor = Keyset & { o: string };

const orderTag = (o: TaskOrder): string => `${o.field}:${o.direction}`;

export const encodeCursor = (key: Keyset, order: TaskOrder): string =>
  Buffer.from(JSON.stringify({ ...key, o: orderTag(order) } satisfies Cursor)).toString(
    'base64url',
  );

const CursorShape = z.object({
  id: z.uuid(),
  o: z.string(),
  value: z.union([z.string().max(100), z.number(), z.null()]),
});

/** A cursor is ours only if it parses, belongs to this order, and its key fits the field. */
function decodeCursor(text: string, order: TaskOrder): Keyset {
  const notOurs = () => badInput([{ path: 'after', message: 'is not a cursor from this API' }]);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  const c = CursorShape.safeParse(raw);
  if (!c.success) throw notOurs();
  if (c.data.o !== orderTag(order)) {
    throw badInput([
      { path: 'after', message: `belongs to order ${c.data.o}, not ${orderTag(order)}` },
    ]);
  }
  const { value } = c.data;
  const fits =
    order.field === 'PRIORITY' || order.field === 'RELEVANCE'
      ? typeof value === 'number'
      : order.field === 'TITLE'
        ? typeof value === 'string'
        : value === null
          ? order.field === 'DUE_AT'
          : typeof value === 'string' && !Number.isNaN(Date.parse(value));
  if (!fits) throw notOurs();
  return { value, id: c.data.id };
}

export interface TaskConnection {
  edges: { cursor: string; node: Task }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /**
   * How many tasks match, counted up to TOTAL_COUNT_CAP; counted only when asked for (once for
   * both of its fields).
   */
  total: () => Promise<TotalCount>;
}

export async function listTaskConnection(
  sql: Sql,
  userId: UserId,
  args: TasksArgs,
  now = new Date(),
): Promise<TaskConnection> {
  const search = args.search ? searchTerms(args.search) : undefined;
  if (args.search && !search)
    throw badInput([{ path: 'search', message: 'must contain a letter or a digit' }]);
  const order: TaskOrder =
    args.orderBy ??
    (search ? { field: 'RELEVANCE', direction: 'DESC' } : { field: 'DUE_AT', direction: 'ASC' });
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  const filter = args.filter ?? {};
  const after = args.after ? decodeCursor(args.after, order) : undefined;
  const { rows, candidates } = await listTasks(sql, userId, {
    filter,
    search,
    order,
    after,
    limit: limit + 1,
    now,
  });
  const page = rows.slice(0, limit);
  const edges = page.map((r) => ({ cursor: encodeCursor(r.key, order), node: r.task }));
  // RELEVANCE found its matches (up to the cap) on the way; a short first page holds them all.
  const known =
    candidates !== undefined
      ? cappedTotal(candidates, TOTAL_COUNT_CAP)
      : totalFromFirstPage(rows.length, limit, !after);
  let counted: Promise<TotalCount> | undefined;
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    total: () =>
      (counted ??= known
        ? Promise.resolve(known)
        : countTasks(sql, userId, filter, search, now, TOTAL_COUNT_CAP).then((n) =>
            cappedTotal(n, TOTAL_COUNT_CAP),
          )),
  };
}

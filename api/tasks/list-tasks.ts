import { badInput } from '../../domain/errors.js';
import {
  DEFAULT_PAGE_SIZE,
  searchTerms,
  type TaskOrder,
  type TasksArgs,
} from '../../domain/task-query.js';
import type { Task } from '../../domain/task.js';
import type { UserId } from '../../domain/ids.js';
import { countTasks, listTasks, type Keyset } from '../../db/tasks.js';
import type { Sql } from '../../db/sql.js';

interface Cursor extends Keyset {
  /** The order the cursor belongs to: a cursor is only valid for the same order. */
  o: string;
}

const orderTag = (o: TaskOrder): string => `${o.field}:${o.direction}`;

export const encodeCursor = (key: Keyset, order: TaskOrder): string =>
  Buffer.from(JSON.stringify({ ...key, o: orderTag(order) } satisfies Cursor)).toString(
    'base64url',
  );

function decodeCursor(text: string, order: TaskOrder): Keyset {
  let c: Partial<Cursor>;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw badInput([{ path: 'after', message: 'is not a cursor from this API' }]);
  }
  if (typeof c.id !== 'string' || !('value' in c) || typeof c.o !== 'string') {
    throw badInput([{ path: 'after', message: 'is not a cursor from this API' }]);
  }
  if (c.o !== orderTag(order)) {
    throw badInput([{ path: 'after', message: `belongs to order ${c.o}, not ${orderTag(order)}` }]);
  }
  return { value: c.value ?? null, id: c.id };
}

export interface TaskConnection {
  edges: { cursor: string; node: Task }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted only when asked for: it is the one part of a page that grows with the list. */
  totalCount: () => Promise<number>;
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
  const rows = await listTasks(sql, userId, {
    filter,
    search,
    order,
    after: args.after ? decodeCursor(args.after, order) : undefined,
    limit: limit + 1,
    now,
  });
  const page = rows.slice(0, limit);
  const edges = page.map((r) => ({ cursor: encodeCursor(r.key, order), node: r.task }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => countTasks(sql, userId, filter, search, now),
  };
}

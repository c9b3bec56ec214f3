import { z } from 'zod';
import { Instant } from './time/instant.js';
import { Priority, Tag, TaskStatus } from './task.js';

export const TaskOrderField = z.enum([
  'DUE_AT',
  'PRIORITY',
  'CREATED_AT',
  'UPDATED_AT',
  'TITLE',
  'RELEVANCE',
]);
export const OrderDirection = z.enum(['ASC', 'DESC']);

export const TaskOrder = z.object({
  field: TaskOrderField,
  direction: OrderDirection.default('ASC'),
});
export type TaskOrder = z.infer<typeof TaskOrder>;

export const TaskFilter = z.object({
  status: TaskStatus.nullish(),
  priorities: z.array(Priority).max(5).nullish(),
  tags: z
    .object({
      any: z.array(Tag).max(20, 'must have at most 20 tags').nullish(),
      all: z.array(Tag).max(20, 'must have at most 20 tags').nullish(),
    })
    .nullish(),
  dueAfter: Instant.nullish(),
  dueBefore: Instant.nullish(),
  overdue: z.boolean().nullish(),
  hasDueDate: z.boolean().nullish(),
  seriesId: z.uuid().nullish(),
});
export type TaskFilter = z.infer<typeof TaskFilter>;

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/**
 * How far a list's total is counted, and how many matches RELEVANCE ranks. Both bound a
 * search's work by the page rather than by the matches (issue 14): counting or ranking every
 * match made a four-letter prefix over a large list cost a read of tens of thousands of rows.
 */
export const TOTAL_COUNT_CAP = 1000;
export const RELEVANCE_CANDIDATES = 1000;
/**
 * How many of the user's newest tasks a RELEVANCE search walks before it asks the word index
 * for older matches (db/tasks.ts): a word in one task in twenty fills the window here. The walk
 * reads its rows in order and cheaply (about 1 µs each), the index reads every older match at
 * about three times that, so for a user with N tasks the worst case of the two together is
 * smallest near sqrt(3,000 N): 17,000 for 100,000 tasks. A smaller user is walked whole.
 */
export const RELEVANCE_WALK = 20_000;

/** A list's total: exact up to TOTAL_COUNT_CAP, else "at least the cap". */
export interface TotalCount {
  count: number;
  exact: boolean;
}

/** The total from a count that read at most `cap + 1` matches (one more tells "more than cap"). */
export const cappedTotal = (found: number, cap = TOTAL_COUNT_CAP): TotalCount =>
  found > cap ? { count: cap, exact: false } : { count: found, exact: true };

/**
 * The total when the first page already tells it: a first page with no next page holds every
 * match. Otherwise it has to be counted.
 */
export const totalFromFirstPage = (
  rowsRead: number,
  pageSize: number,
  firstPage: boolean,
): TotalCount | undefined =>
  firstPage && rowsRead <= pageSize ? cappedTotal(rowsRead) : undefined;

export const TasksArgs = z
  .object({
    filter: TaskFilter.nullish(),
    search: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .nullish(),
    orderBy: TaskOrder.nullish(),
    first: z
      .number()
      .int()
      .min(1, `must be between 1 and ${MAX_PAGE_SIZE}`)
      .max(MAX_PAGE_SIZE, `must be between 1 and ${MAX_PAGE_SIZE}`)
      .nullish(),
    after: z.string().max(1000).nullish(),
  })
  .superRefine((a, ctx) => {
    if (a.orderBy?.field === 'RELEVANCE' && !a.search) {
      ctx.addIssue({
        code: 'custom',
        path: ['orderBy', 'field'],
        message: 'RELEVANCE needs a search',
      });
    }
  });
export type TasksArgs = z.infer<typeof TasksArgs>;

/** Word prefixes for full-text search; only letters and digits reach the tsquery. */
export function searchTerms(
  text: string,
): { words: string[]; tsquery: string; likePattern: string } | undefined {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10);
  if (words.length === 0) return undefined;
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return { words, tsquery: words.map((w) => `${w}:*`).join(' & '), likePattern: `%${escaped}%` };
}

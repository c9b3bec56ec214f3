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

import { z } from 'zod';
import { SeriesState } from './series.js';

export const SERIES_MAX_PAGE = 100;
export const SERIES_DEFAULT_PAGE = 20;

/** Arguments of the caller's series listing (GraphQL seriesList, MCP find_series). */
export const SeriesListArgs = z.object({
  search: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .nullish(),
  states: z.array(SeriesState).max(4).nullish(),
  first: z
    .number()
    .int()
    .min(1, `must be between 1 and ${SERIES_MAX_PAGE}`)
    .max(SERIES_MAX_PAGE, `must be between 1 and ${SERIES_MAX_PAGE}`)
    .nullish(),
  after: z.string().max(1000).nullish(),
});
export type SeriesListArgs = z.infer<typeof SeriesListArgs>;

// Words a person wraps around a series' name when they speak of it ("stop MY exercise
// REMINDER"): none of them tells one series from another, so they do not have to match.
const FILLER = new Set([
  'a',
  'an',
  'the',
  'my',
  'me',
  'to',
  'of',
  'for',
  'on',
  'at',
  'every',
  'reminder',
  'reminders',
  'remind',
  'series',
  'recurring',
  'repeating',
  'task',
  'tasks',
]);

/**
 * The words a series search looks for, lower-cased (letters and digits only, at most 10):
 * filler words are dropped unless nothing else is left. A series matches when any word is the
 * prefix of a word in its title, description or tags; more words matched rank higher, so "my
 * exercise reminder" finds "Exercise", and "morning exercise" puts "Morning exercise" first.
 */
export function seriesSearchWords(text: string): string[] | undefined {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 10);
  if (words.length === 0) return undefined;
  const telling = words.filter((w) => !FILLER.has(w));
  return telling.length > 0 ? telling : words;
}

// Sentence → rule, the words: what a typed rule may say (weekdays, months, numbers, ordinals,
// units) and the text as tokens, which the grammar (text-grammar.ts) reads one by one.
import { quote } from '../errors.js';
import type { Frequency } from './rule.js';
import { MONTH_NAMES, WEEKDAY_NAMES } from './words.js';

export const WEEKDAY_WORDS: Record<string, number> = {};
for (const [i, name] of WEEKDAY_NAMES.entries()) {
  const low = name.toLowerCase();
  for (const w of [low, `${low}s`, low.slice(0, 3), `${low.slice(0, 3)}s`]) WEEKDAY_WORDS[w] = i;
}
Object.assign(WEEKDAY_WORDS, { tues: 1, weds: 2, thur: 3, thurs: 3 });

export const MONTH_WORDS: Record<string, number> = { sept: 9 };
for (const [i, name] of MONTH_NAMES.entries()) {
  MONTH_WORDS[name.toLowerCase()] = i + 1;
  MONTH_WORDS[name.toLowerCase().slice(0, 3)] = i + 1;
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};
const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  last: -1,
  'second-to-last': -2,
  '2nd-to-last': -2,
};
export const UNIT_WORDS: Record<string, Frequency> = {
  day: 'DAILY',
  days: 'DAILY',
  week: 'WEEKLY',
  weeks: 'WEEKLY',
  month: 'MONTHLY',
  months: 'MONTHLY',
  year: 'YEARLY',
  years: 'YEARLY',
};
export const ADVERBS: Record<string, Frequency> = {
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  yearly: 'YEARLY',
  annually: 'YEARLY',
};
export const TOO_OFTEN = new Set([
  'hour',
  'hours',
  'minute',
  'minutes',
  'second',
  'seconds',
  'hourly',
]);

/** The tokens of the text; `low` for matching, `raw` for messages. */
export class Words {
  i = 0;
  constructor(
    private readonly tokens: { raw: string; low: string }[],
    readonly text: string,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }
  peek(ahead = 0): string {
    return this.tokens[this.i + ahead]?.low ?? '';
  }
  take(...words: string[]): boolean {
    if (!words.includes(this.peek())) return false;
    this.i++;
    return true;
  }
  /** The problem of not understanding the current word (or of the text ending too soon). */
  unknown(hint = ''): { problem: string } {
    const token = this.tokens[this.i];
    const where = token
      ? `could not read ${quote(token.raw)} in ${quote(this.text)}`
      : `could not read the end of ${quote(this.text)}: something is missing after ${quote(this.tokens.at(-1)?.raw ?? '')}`;
    return { problem: hint ? `${where} (${hint})` : where };
  }
}

export function tokenize(text: string): Words {
  const normal = text.trim().replace(/\s+/g, ' ');
  const tokens = normal
    .replace(/,/g, ' , ')
    .replace(/\bevery!/gi, 'every! ')
    .split(' ')
    .filter((t) => t !== '')
    .map((raw) => ({ raw, low: raw.toLowerCase().replace(/\.$/, '') }));
  return new Words(tokens, normal);
}

export const wholeNumber = (w: string): number | null =>
  /^\d{1,4}$/.test(w) ? Number(w) : (NUMBER_WORDS[w] ?? null);

/** "3rd", "third", "last", "second-to-last" → 3, 3, -1, -2. */
export const ordinalOf = (w: string): number | null => {
  const m = /^(\d{1,2})(st|nd|rd|th)$/.exec(w);
  return m ? Number(m[1]) : (ORDINAL_WORDS[w] ?? null);
};

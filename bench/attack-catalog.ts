// Hostile GraphQL requests, shared by the adversarial tests (test/security/graphql-attacks.test.ts)
// and the benchmark that times them before and after a fix (bench/attacks.ts).

export interface Attack {
  name: string;
  /** Sent with a valid token (the attack needs a user), or without one. */
  authenticated: boolean;
  body: () => { query: string; variables?: Record<string, unknown> };
}

/** `query{...F0} fragment F0 on Query{...F1 ...F1} … fragment Fn on Query{__typename}`. */
export function fragmentFanOut(n: number): string {
  const parts = ['query { ...F0 }'];
  for (let i = 0; i < n; i++) parts.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  parts.push(`fragment F${n} on Query { __typename }`);
  return parts.join(' ');
}

/** A rule with one occurrence every 28 years or so (a Monday Feb 29), previewed from 1900. */
export const SPARSE_PREVIEW = `previewRecurrence(input: {
  rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", dtstart: "1900-01-01T09:00:00",
  timeZone: "UTC", count: 500 }) { occurrences }`;

const DENSE_PREVIEW = `previewRecurrence(input: {
  rrule: "FREQ=DAILY", dtstart: "2026-01-01T09:00:00", timeZone: "UTC", count: 1 }) { text }`;

const aliases = (n: number, field: string): string =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

export const NEVER_ENDING_PHRASE = 'every day starting 9999-12-31 until Jan 1';

export const ATTACKS: Attack[] = [
  {
    name: 'fragment-fanout-21-anon',
    authenticated: false,
    body: () => ({ query: fragmentFanOut(21) }),
  },
  {
    name: 'fragment-fanout-40-anon',
    authenticated: false,
    body: () => ({ query: fragmentFanOut(40) }),
  },
  {
    name: 'fragment-fanout-40-token',
    authenticated: true,
    body: () => ({ query: fragmentFanOut(40) }),
  },
  {
    name: 'field-duplication-90k',
    authenticated: false,
    body: () => ({ query: `{ ${'__typename '.repeat(90_000)}}` }),
  },
  {
    // Under the length limit, over the token limit.
    name: 'field-duplication-9k',
    authenticated: true,
    body: () => ({ query: `{ ${'__typename '.repeat(9_000)}}` }),
  },
  {
    // Comments are not tokens: a megabyte of them was parsed, and cached keyed by its text.
    name: 'comment-padding-900k',
    authenticated: true,
    body: () => ({ query: `${'#'.repeat(900_000)}\n{ __typename }` }),
  },
  {
    name: 'preview-sparse-1900',
    authenticated: true,
    body: () => ({ query: `{ ${SPARSE_PREVIEW} }` }),
  },
  {
    name: 'preview-alias-flood-15',
    authenticated: true,
    body: () => ({ query: `{ ${aliases(15, SPARSE_PREVIEW)} }` }),
  },
  {
    name: 'preview-alias-flood-1000',
    authenticated: true,
    body: () => ({ query: `{ ${aliases(1000, DENSE_PREVIEW)} }` }),
  },
  {
    // A negative page under a field that resolves to null made the computed cost negative,
    // which paid for the expensive fields beside it.
    name: 'negative-first',
    authenticated: true,
    body: () => ({
      query: `{ task(id: "00000000-0000-4000-8000-000000000000") {
        history(first: -1000000) { edges { node { id } } } } ${aliases(8, SPARSE_PREVIEW)} }`,
    }),
  },
  {
    name: 'megabyte-string-x10',
    authenticated: true,
    body: () => ({
      query: `query($t: String!) { ${aliases(10, 'parseRecurrence(text: $t, timeZone: $t) { rrule }')} }`,
      variables: { t: 'x'.repeat(900_000) },
    }),
  },
  {
    name: 'parse-recurrence-9999',
    authenticated: true,
    body: () => ({
      query: `query($t: String!) { parseRecurrence(text: $t, timeZone: "UTC") { rrule } }`,
      variables: { t: NEVER_ENDING_PHRASE },
    }),
  },
];

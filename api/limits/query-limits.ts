import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  parse,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { MAX_PREVIEW } from '../series/recurrence-queries.js';
import { HISTORY_MAX_PAGE } from '../../domain/history.js';
import { MAX_PAGE_SIZE } from '../../domain/task-query.js';
import { SERIES_MAX_PAGE } from '../../domain/series-query.js';
import {
  costLimit,
  depthLimit,
  structureLimit,
  type FieldPrice,
} from '../../platform/graphql-limits.js';

/**
 * What one GraphQL request may ask for. Checked in this order, each step only if the one before
 * passed, so the cheap checks guard the expensive ones: the parser stops at `maxTokens`; then
 * the document's shape (root fields, fragments, spreads, aliases, directives, string literals);
 * then depth and cost (each fragment walked once); only then graphql-js's own validation.
 */
export const QUERY_LIMITS = {
  /**
   * Characters of query text: comments and whitespace are not tokens, and yoga caches parsed
   * documents keyed by their text, so the text itself is bounded too.
   */
  maxQueryLength: 100_000,
  maxTokens: 2000,
  maxRootFields: 20,
  maxFragments: 50,
  maxSpreads: 200,
  maxAliases: 15,
  maxDirectives: 10,
  /** The longest string any argument takes (a task's description). */
  maxStringLength: 10_000,
  maxDepth: 10,
  maxCost: 5000,
} as const;

const count = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const inputOf = (args: Record<string, unknown>): Record<string, unknown> =>
  typeof args.input === 'object' && args.input !== null
    ? (args.input as Record<string, unknown>)
    : {};

/**
 * Fields priced by the work they do (every other field costs 1; lists multiply what they select
 * by their page size). A cost unit is roughly a field read from a row already fetched.
 * - previewRecurrence: each occurrence is a time-zone conversion (~0.1 ms), and the walk to find
 *   them may examine CLIENT_WALK_DAYS days (~9 ms): at most one 500-occurrence preview or a few
 *   small ones fit in a request.
 * - parseRecurrence: the same walk, once.
 * - seriesList: a scan of the user's series, each scored against the search words.
 * - history: one Dapr service invocation to the audit service each (Task.history under a page of
 *   tasks is a call per task).
 * - Series occurrences and next occurrence: an expansion each.
 * - Batch mutations: a transaction per id.
 */
export const FIELD_PRICES: Record<string, FieldPrice> = {
  'Query.previewRecurrence': (args) =>
    1000 + 6 * Math.min(count(inputOf(args).count) ?? MAX_PREVIEW, MAX_PREVIEW),
  'Query.parseRecurrence': 500,
  'Query.history': 100,
  'Query.seriesList': 50,
  'Task.history': 100,
  'Series.occurrences': 200,
  'Series.nextOccurrenceAt': 100,
  'Series.text': 20,
  'Mutation.createSeries': 200,
  'Mutation.updateSeries': 200,
  'Mutation.completeTasks': (args) => 10 * listLength(args.ids),
  'Mutation.deleteTasks': (args) => 10 * listLength(args.ids),
};

const listLength = (v: unknown): number => (Array.isArray(v) ? v.length : MAX_PAGE_SIZE);

/** String literals longer than any argument accepts are refused before anything reads them. */
function stringLiteralLimit(max: number): ValidationRule {
  return (ctx: ValidationContext): ASTVisitor => ({
    StringValue(node) {
      if (node.value.length > max)
        ctx.reportError(
          new GraphQLError(
            `a string in the query is ${node.value.length} characters; the limit is ${max}`,
            {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ),
        );
    },
  });
}

/** graphql-armor's rules report "Syntax Error: …" by throwing; we report them with a code. */
const armorOptions = (n: number) => ({
  n,
  propagateOnRejection: false,
  onReject: [
    (ctx: ValidationContext | null, err: GraphQLError) =>
      ctx?.reportError(
        new GraphQLError(err.message.replace(/^Syntax Error: /, ''), {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ),
  ],
});

const shapeRules: ValidationRule[] = [
  structureLimit(QUERY_LIMITS),
  maxAliasesRule(armorOptions(QUERY_LIMITS.maxAliases)),
  maxDirectivesRule(armorOptions(QUERY_LIMITS.maxDirectives)),
  stringLiteralLimit(QUERY_LIMITS.maxStringLength),
];

const sizeRules: ValidationRule[] = [
  depthLimit(QUERY_LIMITS.maxDepth),
  costLimit({
    max: QUERY_LIMITS.maxCost,
    maxPage: MAX_PAGE_SIZE,
    prices: FIELD_PRICES,
    fieldMaxPage: {
      'Query.history': HISTORY_MAX_PAGE,
      'Task.history': HISTORY_MAX_PAGE,
      'Query.seriesList': SERIES_MAX_PAGE,
    },
    pageArgs: { 'Series.occurrences': ['past', 'upcoming'] },
  }),
];

/** Longest string anywhere in a request's variables, walked without recursion limits. */
function longestString(value: unknown): number {
  let longest = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') longest = Math.max(longest, v.length);
    // One push at a time: spreading a 500,000-item array as arguments overflows the stack.
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
  return longest;
}

/**
 * yoga's parse and validation caches, bounded by the size of what they hold rather than by
 * entry count alone (its default, 1,024 entries of up to maxQueryLength each).
 */
export const createParserCache = () => ({
  documentCache: new LRUCache<string, DocumentNode>({
    max: 1024,
    maxSize: 16 * 1024 * 1024,
    sizeCalculation: (_doc, key) => Math.max(1, key.length),
  }),
  errorCache: new LRUCache<string, Error>({
    max: 256,
    maxSize: 2 * 1024 * 1024,
    sizeCalculation: (_err, key) => Math.max(1, key.length),
  }),
});

export const queryLimits: Plugin = {
  onParams({ params }) {
    const length = params.query?.length ?? 0;
    if (length > QUERY_LIMITS.maxQueryLength)
      throw new GraphQLError(
        `the query is ${length} characters; the limit is ${QUERY_LIMITS.maxQueryLength}`,
        { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
      );
    const longest = longestString(params.variables);
    if (longest > QUERY_LIMITS.maxStringLength)
      throw new GraphQLError(
        `a variable holds a string of ${longest} characters; the limit is ${QUERY_LIMITS.maxStringLength}`,
        { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
      );
  },
  onParse({ setParseFn }) {
    // graphql-js counts tokens as it lexes and stops at the limit: a huge document costs no more
    // than its first maxTokens tokens.
    setParseFn((source, options) =>
      parse(source, { ...options, maxTokens: QUERY_LIMITS.maxTokens }),
    );
  },
  onValidate({ params, setResult }) {
    // Page sizes given as variables are priced at their maximum (checked again at execution).
    const shape = validate(params.schema, params.documentAST, shapeRules);
    if (shape.length) return setResult(shape);
    const size = validate(params.schema, params.documentAST, sizeRules);
    if (size.length) setResult(size);
  },
};

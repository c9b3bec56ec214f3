import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { failure, toActivityFailure } from '../../activities/failures.js';
import { mcpHttpStatus } from '../../api/mcp/route.js';
import {
  AppError,
  ErrorCode,
  NON_RETRYABLE_FAILURE_TYPES,
  notFound,
  TemporalFailureType,
  temporalRetryable,
  unavailable,
} from '../../domain/errors.js';
import {
  GraphQLProtocolCode,
  graphqlCode,
  graphqlHttpStatus,
  toGraphQLError,
} from '../../platform/graphql-errors.js';
import { httpStatusOf } from '../../platform/http-errors.js';

// The catalog is complete (every code the code base sends is in it, or is an edge's declared
// spelling) and every edge's mapping is total (a value for each code, nothing else).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['api', 'domain', 'activities', 'worker', 'workflows', 'platform', 'db'].concat([
  'sync-service',
  'audit-service',
]);
const sourceFiles = SOURCES.flatMap((dir) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name))),
);

const catalog = new Set<string>(Object.values(ErrorCode));
const edgeSpellings = new Set<string>([
  ...Object.values(graphqlCode),
  ...Object.values(GraphQLProtocolCode),
]);

describe('the error catalog is complete', () => {
  // A code is written as `code: 'X'`, compared as `code === 'X'`, or thrown as the second
  // argument of an ApplicationFailure; ErrorCode.X and TemporalFailureType.X are typed already.
  const CODE_LITERAL = /\bcode\s*(?::|===|!==)\s*'([A-Z][A-Z_]+)'/g;
  // Codes other systems put on their errors, read, never sent: Node's system errors (ENOTFOUND)
  // and Node's and Dapr's ERR_ codes.
  const FOREIGN = /^(E[A-Z]+|ERR_[A-Z_]+)$/;
  const GRAPHQL_CODE_ARG = /'(GRAPHQL_[A-Z_]+|INTERNAL(?:_SERVER_ERROR)?)'/g;

  test('every error code written in the source is the catalog’s or an edge’s declared spelling', () => {
    const unknown: string[] = [];
    for (const file of sourceFiles) {
      const source = readFileSync(join(ROOT, file), 'utf8');
      for (const m of [...source.matchAll(CODE_LITERAL), ...source.matchAll(GRAPHQL_CODE_ARG)])
        if (!catalog.has(m[1]!) && !edgeSpellings.has(m[1]!) && !FOREIGN.test(m[1]!))
          unknown.push(`${file}: ${m[1]}`);
    }
    assert.deepEqual(unknown, []);
  });

  test('ApplicationFailures are built only by the Temporal edge, with declared types', () => {
    const elsewhere = sourceFiles.filter(
      (f) =>
        f !== 'activities/failures.ts' &&
        /ApplicationFailure\.(create|nonRetryable|retryable)\(|new ApplicationFailure\(/.test(
          readFileSync(join(ROOT, f), 'utf8'),
        ),
    );
    assert.deepEqual(elsewhere, []);
  });

  test('the scan sees what it is meant to see', () => {
    // A scan that matched nothing would pass whatever the code base said.
    const mcp = readFileSync(join(ROOT, 'api/mcp/sdk-errors.ts'), 'utf8');
    assert.match(mcp, /ErrorCode\.INTERNAL/);
    assert.equal([..."{ code: 'NOPE' }".matchAll(CODE_LITERAL)].length, 1);
  });
});

describe('each edge maps every catalog code, and only those', () => {
  const codes = [...catalog].sort();
  const edges: [string, Record<string, unknown>][] = [
    ['GraphQL extensions.code', graphqlCode],
    ['GraphQL HTTP status', graphqlHttpStatus],
    ['plain HTTP status', httpStatusOf],
    ['MCP route HTTP status', mcpHttpStatus],
  ];
  for (const [name, mapping] of edges) {
    test(name, () => assert.deepEqual(Object.keys(mapping).sort(), codes));
  }

  test('Temporal: every declared failure type is final or retryable, the catalog’s among them', () => {
    const types = Object.values(TemporalFailureType).sort();
    assert.deepEqual(Object.keys(temporalRetryable).sort(), types);
    for (const code of codes) assert.ok(types.includes(code as TemporalFailureType), code);
  });

  test('GraphQL spells INTERNAL as INTERNAL_SERVER_ERROR; HTTP and MCP as INTERNAL', () => {
    assert.equal(graphqlCode.INTERNAL, 'INTERNAL_SERVER_ERROR');
    assert.equal(httpStatusOf.INTERNAL, 500);
    const err = toGraphQLError(new AppError(ErrorCode.UNAVAILABLE, 'down', [], 5));
    assert.equal(err.extensions.code, 'UNAVAILABLE');
    assert.deepEqual(err.extensions.http, { status: 503, headers: { 'retry-after': '5' } });
  });
});

describe('the Temporal edge', () => {
  test('a catalog error travels under its code, final unless waiting can cure it', () => {
    const missing = toActivityFailure(notFound('task x'));
    assert.ok(missing instanceof ApplicationFailure);
    assert.equal(missing.type, 'NOT_FOUND');
    assert.equal(missing.nonRetryable, true);
    const down = toActivityFailure(unavailable('database'));
    assert.ok(down instanceof ApplicationFailure);
    assert.equal(down.type, 'UNAVAILABLE');
    assert.equal(down.nonRetryable, false);
  });

  test('an unexpected error passes as it is, for the activity’s retry policy', () => {
    const err = new Error('boom');
    assert.equal(toActivityFailure(err), err);
  });

  test('the activities’ own outcomes are final, and listed for activity options', () => {
    for (const type of ['WebhookDestinationRefused', 'WebhookRejected', 'NoDigest'] as const) {
      assert.equal(failure(type, 'x').nonRetryable, true);
      assert.ok(NON_RETRYABLE_FAILURE_TYPES.includes(type));
    }
    assert.ok(!NON_RETRYABLE_FAILURE_TYPES.includes('UNAVAILABLE'));
    assert.ok(!NON_RETRYABLE_FAILURE_TYPES.includes('CONFLICT'));
  });
});

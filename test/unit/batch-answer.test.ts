import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchAnswer, RESPONSE_BUDGET_BYTES } from '../../api/mcp/results.js';

// A batch tool's answer stays within the budget however large its rows, and never at the cost
// of an item's outcome: only rows are left out, and they are named.

interface Result {
  index: number;
  status: 'succeeded' | 'failed';
  id: string | null;
  task?: { title: string; tags: string[] };
  error?: { code: string; message: string };
}

const big = (index: number): Result => ({
  index,
  status: 'succeeded',
  id: `id-${index}`,
  task: {
    title: `${index} ${'t'.repeat(495)}`,
    tags: Array.from({ length: 20 }, (_, k) => `${k}${'x'.repeat(48)}`),
  },
});

test('25 items of the largest rows: every outcome, the rows that fit, the rest named', () => {
  const results = Array.from({ length: 25 }, (_, i) =>
    i === 3
      ? {
          index: 3,
          status: 'failed' as const,
          id: null,
          error: { code: 'NOT_FOUND', message: 'x' },
        }
      : big(i),
  );
  const answer = batchAnswer(results, 'task');
  const text = (answer.content as { text: string }[])[0]!.text;
  assert.ok(Buffer.byteLength(text) <= RESPONSE_BUDGET_BYTES, `${Buffer.byteLength(text)} bytes`);
  const out = answer.structuredContent as {
    results: Result[];
    succeeded: number;
    failed: number;
    rowsLeftOut?: number[];
  };
  assert.deepEqual(JSON.parse(text), out, 'the text carries the same JSON');
  assert.deepEqual(
    out.results.map((r) => [r.index, r.status, r.id]),
    results.map((r) => [r.index, r.status, r.id]),
  );
  assert.equal(out.succeeded, 24);
  assert.equal(out.failed, 1);
  const shown = out.results.filter((r) => r.task).map((r) => r.index);
  assert.ok(shown.length > 0 && shown.length < 24, `${shown.length} rows shown`);
  const firstLeft = out.results.findIndex((r, i) => i !== 3 && !r.task);
  assert.deepEqual(
    out.rowsLeftOut,
    results
      .slice(firstLeft)
      .filter((r) => r.task)
      .map((r) => r.index),
    'the rows left out are named, each after the last row shown',
  );
  assert.equal(out.results[3]!.error?.code, 'NOT_FOUND');
});

test('a small batch is answered whole, without rowsLeftOut', () => {
  const results = [big(0), big(1)];
  const out = batchAnswer(results, 'task').structuredContent as Record<string, unknown>;
  assert.deepEqual(out, { results, succeeded: 2, failed: 0 });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cappedTotal, TOTAL_COUNT_CAP, totalFromFirstPage } from '../../domain/task-query.js';

// A list's total counted up to a cap (issue 14): the query reads at most cap + 1 matches, and
// the one past the cap is what says "more than this".

test('up to the cap, the count read is the exact total', () => {
  assert.deepEqual(cappedTotal(0, 1000), { count: 0, exact: true });
  assert.deepEqual(cappedTotal(999, 1000), { count: 999, exact: true });
  assert.deepEqual(cappedTotal(1000, 1000), { count: 1000, exact: true });
});

test('one past the cap is "at least the cap", not exact', () => {
  assert.deepEqual(cappedTotal(1001, 1000), { count: 1000, exact: false });
  assert.deepEqual(cappedTotal(5, 4), { count: 4, exact: false });
});

test('the default cap is TOTAL_COUNT_CAP (1,000)', () => {
  assert.equal(TOTAL_COUNT_CAP, 1000);
  assert.deepEqual(cappedTotal(TOTAL_COUNT_CAP + 1), { count: TOTAL_COUNT_CAP, exact: false });
});

test('a first page without a next page is the whole list: its rows are the exact total', () => {
  assert.deepEqual(totalFromFirstPage(0, 50, true), { count: 0, exact: true });
  assert.deepEqual(totalFromFirstPage(37, 50, true), { count: 37, exact: true });
  assert.deepEqual(totalFromFirstPage(50, 50, true), { count: 50, exact: true });
});

test('a full first page (one row more read) or a later page does not tell the total', () => {
  assert.equal(totalFromFirstPage(51, 50, true), undefined);
  assert.equal(totalFromFirstPage(3, 50, false), undefined, 'after a cursor: only the rest');
});

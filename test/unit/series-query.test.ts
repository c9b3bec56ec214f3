import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seriesSearchWords } from '../../domain/series-query.js';

test('a series search drops the words people wrap around a name, unless nothing else is left', () => {
  assert.deepEqual(seriesSearchWords('my exercise reminder'), ['exercise']);
  assert.deepEqual(seriesSearchWords('Stop my EXERCISE reminder!'), ['stop', 'exercise']);
  assert.deepEqual(seriesSearchWords('morning exercise'), ['morning', 'exercise']);
  assert.deepEqual(seriesSearchWords('my reminder'), ['my', 'reminder']);
  assert.deepEqual(seriesSearchWords('Übung übung'), ['übung']);
  assert.equal(seriesSearchWords('!!! ...'), undefined);
});

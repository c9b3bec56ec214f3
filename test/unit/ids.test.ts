import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idFromKey, isUuid } from '../../domain/ids.js';

test('idFromKey: a UUID, the same for the same scope and key, another for another', () => {
  const id = idFromKey('series:alice', 'k1');
  assert.ok(isUuid(id), id);
  assert.equal(id[14], '5', 'version 5 layout');
  assert.equal(idFromKey('series:alice', 'k1'), id);
  assert.notEqual(idFromKey('series:bob', 'k1'), id, "another user's equal key");
  assert.notEqual(idFromKey('series:alice', 'k2'), id);
  // The scope and the key cannot be shifted into each other.
  assert.notEqual(idFromKey('series:alice:k', '1'), idFromKey('series:alice', 'k:1'));
});

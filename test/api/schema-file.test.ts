import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { printSdl, SDL_FILE } from '../../api/schema/sdl.js';

test('api/schema.graphql is the schema the code serves (run `npm run schema:write`)', () => {
  assert.equal(readFileSync(SDL_FILE, 'utf8'), printSdl());
});

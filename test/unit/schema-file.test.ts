import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLIENT_SDL_FILE, printClientSdl } from '../../api/schema/client-sdl.js';
import { printResolverTypes, RESOLVER_TYPES_FILE } from '../../api/schema/resolver-types-file.js';
import { printSdl, SDL_FILE } from '../../api/schema/sdl.js';
import { EVENT_SCHEMA_FILE, printEventSchemas } from '../../domain/event-schemas.js';

test('api/schema.graphql is the schema the code serves (run `npm run schema:write`)', () => {
  assert.equal(readFileSync(SDL_FILE, 'utf8'), printSdl());
});

test('api/schema/resolver-types.ts is generated from that schema (run `npm run schema:write`)', async () => {
  assert.equal(readFileSync(RESOLVER_TYPES_FILE, 'utf8'), await printResolverTypes());
});

test('api/client-schema.graphql is the schema the api and the sync-service serve (run `npm run schema:write`)', () => {
  assert.equal(readFileSync(CLIENT_SDL_FILE, 'utf8'), printClientSdl());
});

test('domain/events.schema.json is the event contract the code uses (run `npm run schema:write`)', () => {
  assert.equal(readFileSync(EVENT_SCHEMA_FILE, 'utf8'), printEventSchemas());
  const doc = JSON.parse(printEventSchemas()) as { events: Record<string, { data: object }> };
  assert.ok(doc.events['task.created']?.data, 'every event type has its data schema');
  assert.ok(doc.events['reminder.digest']?.data);
});

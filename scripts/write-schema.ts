import { writeFileSync } from 'node:fs';
import { CLIENT_SDL_FILE, printClientSdl } from '../api/schema/client-sdl.js';
import { printResolverTypes, RESOLVER_TYPES_FILE } from '../api/schema/resolver-types-file.js';
import { printSdl, SDL_FILE } from '../api/schema/sdl.js';
import { EVENT_SCHEMA_FILE, printEventSchemas } from '../domain/event-schemas.js';

// Writes the checked-in contracts: the api's schema to api/schema.graphql, the resolver types
// generated from it to api/schema/resolver-types.ts, the clients' schema (the api's with the
// sync-service's Subscription) to api/client-schema.graphql and the event payloads' JSON Schema
// to domain/events.schema.json (tests fail when any is stale).
writeFileSync(SDL_FILE, printSdl());
console.log(`wrote ${SDL_FILE}`);
writeFileSync(RESOLVER_TYPES_FILE, await printResolverTypes());
console.log(`wrote ${RESOLVER_TYPES_FILE}`);
writeFileSync(CLIENT_SDL_FILE, printClientSdl());
console.log(`wrote ${CLIENT_SDL_FILE}`);
writeFileSync(EVENT_SCHEMA_FILE, printEventSchemas());
console.log(`wrote ${EVENT_SCHEMA_FILE}`);

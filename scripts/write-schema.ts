import { writeFileSync } from 'node:fs';
import { printSdl, SDL_FILE } from '../api/schema/sdl.js';
import { EVENT_SCHEMA_FILE, printEventSchemas } from '../domain/event-schemas.js';

// Writes the checked-in contracts: the api's schema to api/schema.graphql and the event
// payloads' JSON Schema to domain/events.schema.json (tests fail when either is stale).
writeFileSync(SDL_FILE, printSdl());
console.log(`wrote ${SDL_FILE}`);
writeFileSync(EVENT_SCHEMA_FILE, printEventSchemas());
console.log(`wrote ${EVENT_SCHEMA_FILE}`);

import { writeFileSync } from 'node:fs';
import { printSdl, SDL_FILE } from '../api/schema/sdl.js';

// Writes the api's schema to api/schema.graphql (checked in; a test fails when it is stale).
writeFileSync(SDL_FILE, printSdl());
console.log(`wrote ${SDL_FILE}`);

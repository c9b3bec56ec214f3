import { readFileSync } from 'node:fs';

// The schema's SDL, one file per slice: each slice extends Query, Mutation (and Task, when it
// adds fields to it) with its own part. api/schema/shared.graphql holds what several share.
const SDL_FILES = [
  'schema/shared',
  'tasks/tasks',
  'reminders/reminders',
  'series/series',
  'notifications/notifications',
  'settings/settings',
  'history/history',
];

export const typeDefs = SDL_FILES.map((file) =>
  readFileSync(new URL(`../${file}.graphql`, import.meta.url), 'utf8'),
);

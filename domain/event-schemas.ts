import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { eventCatalog } from './events.js';

// The event contract as JSON Schema (draft 2020-12), generated from the zod schemas in
// events.ts, for consumers that are not written in TypeScript. Checked in as
// domain/events.schema.json (`npm run schema:write`); a test fails when it is stale.

export const EVENT_SCHEMA_FILE = fileURLToPath(new URL('./events.schema.json', import.meta.url));

/** One definition per event type and data version, with its topic. */
export function printEventSchemas(): string {
  const events = Object.fromEntries(
    Object.entries(eventCatalog).map(([type, entry]) => [
      type,
      {
        topic: entry.topic,
        dataversion: entry.version,
        data: z.toJSONSchema(entry.data, { io: 'output', unrepresentable: 'any' }),
      },
    ]),
  );
  const doc = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Tickler events: CloudEvents 1.0 envelopes, data by type and dataversion',
    envelope: {
      specversion: '1.0',
      required: ['id', 'source', 'type', 'time', 'subject', 'userid', 'sequence', 'dataversion'],
      sequence: 'per-user monotonic; a client resumes from the last it saw',
    },
    events,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

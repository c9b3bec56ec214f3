import { z } from 'zod';

// Instants, checked once for every edge: ISO-8601 with an offset (a bare local time would be
// read in the server's zone), within one range.

/**
 * The one range of an instant a client may send. Outside it dates stop round-tripping (Node
 * reads year 0001 back as 2001, PostgreSQL and RFC 5545 stop at year 9999) and mean nothing to a
 * todo app anyway.
 */
export const MIN_INSTANT = new Date('1970-01-01T00:00:00Z');
export const MAX_INSTANT = new Date('9999-12-31T23:59:59Z');
export const INSTANT_RANGE_MESSAGE = 'must be between 1970-01-01 and 9999-12-31';
export const INSTANT_FORMAT_MESSAGE =
  'must be an ISO-8601 instant with an offset, e.g. 2026-03-30T09:00:00+02:00';

export const isInInstantRange = (d: Date): boolean => d >= MIN_INSTANT && d <= MAX_INSTANT;

/**
 * The syntax alone (a real calendar day, seconds required, an offset or Z): what an event or a
 * stored value carries, where the range was checked when it came in.
 */
export const IsoInstant = z.iso.datetime({ offset: true, error: INSTANT_FORMAT_MESSAGE });

/** An instant from a client, as a Date. */
export const Instant = IsoInstant.transform((s) => new Date(s)).refine(
  isInInstantRange,
  INSTANT_RANGE_MESSAGE,
);

/** An instant from a client, normalised to UTC text (`2026-03-30T07:00:00.000Z`). */
export const InstantText = Instant.transform((d) => d.toISOString());

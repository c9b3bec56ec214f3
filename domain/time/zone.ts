import { z } from 'zod';
import { quote } from '../errors.js';

// Time zones, checked once for every edge (settings, series, previews, parsed text, MCP tools).
// A zone is an IANA name the runtime's tz database (ICU, through Intl) knows. ICU lists each
// zone under one name (its CLDR canonical name, often the older IANA one: Asia/Calcutta,
// Europe/Kiev) and resolves the other names of the same zone to it (Asia/Kolkata, Europe/Kyiv,
// GMT, any letter case). Every alias is accepted and stored as the listed name, so a zone compares
// equal whichever name a client sent, and what is stored is a name every Intl call accepts.

/** Longer text is refused before Intl sees it; the longest IANA name is 32 characters. */
export const MAX_TIME_ZONE_CHARS = 64;

// 'UTC' and 'Etc/UTC' are what most clients send for UTC; ICU resolves them but does not list them.
const listed = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

/** The listed name of the zone `tz` names (itself or an alias), or null when it names none. */
export function canonicalTimeZone(tz: string): string | null {
  if (listed.has(tz)) return tz;
  if (tz.length > MAX_TIME_ZONE_CHARS) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
    // Intl also takes UTC offsets (+02:00) as zones in newer runtimes: not an IANA zone.
    return listed.has(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

export const notATimeZone = (tz: string): string =>
  `${quote(tz)} is not an IANA time zone (e.g. Europe/Berlin)`;

/** An IANA time zone from a client, any alias accepted, as its listed (canonical) name. */
export const TimeZone = z
  .string()
  .max(MAX_TIME_ZONE_CHARS, `must be at most ${MAX_TIME_ZONE_CHARS} characters`)
  .transform((tz, ctx) => {
    const canonical = canonicalTimeZone(tz);
    if (canonical) return canonical;
    ctx.addIssue({ code: 'custom', message: notATimeZone(tz) });
    return z.NEVER;
  });

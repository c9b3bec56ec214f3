// Wall-clock time in an IANA zone, from the runtime's own tz database (Intl), with no library:
// quiet hours and recurrences are defined in the user's local time and must survive DST.

/** A local date-time: month 1–12; no zone of its own. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const asUtcMs = (l: LocalDateTime): number =>
  Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);

/** The zone's offset from UTC at `instant`, in milliseconds (east positive). */
export function offsetMsAt(instant: Date, timeZone: string): number {
  // Whole seconds: the formatter does not show milliseconds.
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return asUtcMs(toLocal(new Date(whole), timeZone)) - whole;
}

const DAY_MS = 86_400_000;

/**
 * The instant a local date-time names in `timeZone`, resolved as RFC 5545 (3.3.5) and
 * JavaScript's Temporal ('compatible') do: a time that occurs twice (clocks set back) is its
 * first occurrence; a time that does not exist (clocks set forward) is read with the offset in
 * force before the gap, so it lands as far after the gap as it was into it (02:30 → 03:30).
 */
export function fromLocal(local: LocalDateTime, timeZone: string): Date {
  const wall = asUtcMs(local);
  // No zone changes its offset twice within two days, so the offsets a day either side are the
  // only candidates.
  const before = offsetMsAt(new Date(wall - DAY_MS), timeZone);
  const after = offsetMsAt(new Date(wall + DAY_MS), timeZone);
  const matches = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((t) => asUtcMs(toLocal(new Date(t), timeZone)) === wall)
    .sort((a, b) => a - b);
  return new Date(matches[0] ?? wall - before);
}

/** The local calendar date `days` after `local`'s (time of day kept). */
export function addLocalDays(local: LocalDateTime, days: number): LocalDateTime {
  const d = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return { ...local, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO-8601 with the zone's offset at that instant, e.g. 2026-03-30T09:00:00+02:00. */
export function formatWithOffset(instant: Date, timeZone: string): string {
  const l = toLocal(instant, timeZone);
  const offsetMin = Math.round(offsetMsAt(instant, timeZone) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const date = `${String(l.year).padStart(4, '0')}-${p2(l.month)}-${p2(l.day)}`;
  const time = `${p2(l.hour)}:${p2(l.minute)}:${p2(l.second)}`;
  return `${date}T${time}${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
}

import { z } from 'zod';
import { quote } from '../errors.js';

// ISO-8601 durations limited to exact units (weeks, days, hours, minutes, seconds): a reminder
// offset must mean the same number of milliseconds whatever the calendar, so P1M and P1Y are
// refused rather than guessed.
const PATTERN =
  /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

export function parseDurationMs(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m || text.endsWith('P') || text.endsWith('T')) return undefined;
  const [, sign, w, d, h, min, s] = m;
  const ms =
    Number(w ?? 0) * 604_800_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Math.round(Number(s ?? 0) * 1000);
  // Beyond this, milliseconds stop being exact integers.
  if (!Number.isSafeInteger(ms)) return undefined;
  return sign && ms !== 0 ? -ms : ms;
}

export function formatDurationMs(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `${sign}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** Milliseconds, parsed from an ISO-8601 duration string such as `PT30M` or `P1DT2H`. */
export const DurationMs = z.string().transform((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${quote(text)} is not an ISO-8601 duration in weeks, days, hours, minutes or seconds (e.g. PT30M)`,
    });
    return z.NEVER;
  }
  return ms;
});

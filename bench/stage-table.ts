import { quantile, sortNumbers } from './stats.js';

/** A stage: its label and the two instants (keys of a record) it spans. */
export type Stage<K extends string> = readonly [label: string, from: K, to: K];

/** A history event's time in ms since the epoch (seconds are a Long from the client). */
export function eventMs(e: {
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
}): number | undefined {
  return e.eventTime
    ? Number(String(e.eventTime.seconds ?? 0)) * 1000 + Math.round((e.eventTime.nanos ?? 0) / 1e6)
    : undefined;
}

/** p50 / p99 / max of each stage over the records that have both its instants. */
export function stageLines<K extends string>(
  title: string,
  stages: readonly Stage<K>[],
  records: Partial<Record<K, number>>[],
): string[] {
  const lines = [`${title} (ms, p50 / p99 / max):`];
  for (const [name, from, to] of stages) {
    const spans = sortNumbers(
      records.flatMap((r) =>
        r[from] === undefined || r[to] === undefined ? [] : [r[to]! - r[from]!],
      ),
    );
    const fmt = (v: number) => (Number.isNaN(v) ? '–' : String(Math.round(v)));
    lines.push(
      `  ${name.padEnd(52)} ${fmt(quantile(spans, 0.5)).padStart(6)} / ${fmt(quantile(spans, 0.99)).padStart(6)} / ${fmt(spans.at(-1) ?? NaN).padStart(6)}  (n=${spans.length})`,
    );
  }
  return lines;
}

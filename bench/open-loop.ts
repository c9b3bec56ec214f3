import { quantile, sortNumbers } from './stats.js';

export interface OpenLoopOptions {
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** At most this many requests outstanding; a request due while the cap is reached is skipped. */
  maxInFlight: number;
  /** Sends request number i; resolves when it has been answered, throws when it failed. */
  send: (i: number) => Promise<void>;
}

export interface OpenLoopResult {
  /** Requests due over the run (rate × seconds). */
  due: number;
  sent: number;
  ok: number;
  failed: number;
  /** Due while maxInFlight requests were outstanding: never sent. */
  skipped: number;
  /** How late requests left against their schedule (the driver's own event loop). */
  sendLagP99Ms: number;
  /** Response time of the answered requests. */
  responseP50Ms: number;
  responseP99Ms: number;
  /** From the first send until the last response. */
  elapsedS: number;
  firstError: string | undefined;
}

const TICK_MS = 2;

/**
 * Drives requests by the clock, not by their answers (open loop): request i is due at
 * t0 + i / rate whether or not earlier ones were answered, so a slow server sees the offered
 * load instead of a politely reduced one. Awaiting each answer would hide exactly the
 * queueing a benchmark wants to see. Requests that cannot be sent because too many are
 * outstanding are counted, never sent late in a burst.
 */
export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const due = Math.round(o.rate * o.seconds);
  const r: OpenLoopResult = {
    due,
    sent: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    sendLagP99Ms: 0,
    responseP50Ms: 0,
    responseP99Ms: 0,
    elapsedS: 0,
    firstError: undefined,
  };
  const lags: number[] = [];
  const responses: number[] = [];
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  let next = 0;
  while (next < due) {
    const now = performance.now();
    // Everything whose time has come goes now; the sleep below is coarse on a busy machine.
    for (; next < due && t0 + (next * 1000) / o.rate <= now; next++) {
      if (pending.size >= o.maxInFlight) {
        r.skipped++;
        continue;
      }
      lags.push(now - (t0 + (next * 1000) / o.rate));
      r.sent++;
      const started = performance.now();
      const p: Promise<void> = o
        .send(next)
        .then(
          () => {
            r.ok++;
            responses.push(performance.now() - started);
          },
          (err: unknown) => {
            r.failed++;
            r.firstError ??= err instanceof Error ? err.message : String(err);
          },
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    if (next < due) await new Promise((res) => setTimeout(res, TICK_MS));
  }
  await Promise.all(pending);
  r.elapsedS = (performance.now() - t0) / 1000;
  r.sendLagP99Ms = Math.round(quantile(sortNumbers(lags), 0.99));
  const sorted = sortNumbers(responses);
  r.responseP50Ms = Math.round(quantile(sorted, 0.5));
  r.responseP99Ms = Math.round(quantile(sorted, 0.99));
  return r;
}

export function describeOpenLoop(r: OpenLoopResult): string {
  return (
    `${r.sent} of ${r.due} sent (${r.skipped} skipped: in-flight cap reached), ${r.ok} ok, ` +
    `${r.failed} failed${r.firstError ? ` (first: ${r.firstError.slice(0, 200)})` : ''}; ` +
    `achieved ${(r.ok / r.elapsedS).toFixed(0)}/s; response p50 ${r.responseP50Ms} ms, ` +
    `p99 ${r.responseP99Ms} ms; send lag p99 ${r.sendLagP99Ms} ms`
  );
}

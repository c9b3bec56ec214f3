import type { Clock } from '../../../platform/clock.js';

/**
 * A clock that moves only when the test moves it. `until` runs the code under test to a result:
 * whenever everything is idle (no I/O, no pending callbacks) and the result is still pending, it
 * jumps to the next timer and fires it, so a wait of minutes takes microseconds and the order of
 * what happens is always the same.
 */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): Promise<void>;
  /** Settles `promise`, firing timers in order whenever the code under test is idle. */
  until<T>(promise: Promise<T>): Promise<T>;
  /** Timers not fired yet. */
  readonly pending: number;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets the code under test run until it waits on I/O or a timer: a few turns of the event loop. */
export async function idle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export function manualClock(start = Date.parse('2026-01-05T09:00:00Z')): ManualClock {
  let now = start;
  let seq = 0;
  const timers: Timer[] = [];

  const fireNext = (limit: number): boolean => {
    let next: Timer | undefined;
    for (const t of timers)
      if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    if (!next || next.at > limit) return false;
    timers.splice(timers.indexOf(next), 1);
    now = Math.max(now, next.at);
    next.fn();
    return true;
  };

  return {
    now: () => now,
    after(ms, fn) {
      const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, fn };
      timers.push(timer);
      return () => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    async advance(ms) {
      const target = now + ms;
      await idle();
      while (fireNext(target)) await idle();
      now = target;
    },
    async until(promise) {
      let settled = false;
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Bounded: a test whose code never settles fails instead of hanging.
      for (let step = 0; step < 10_000; step++) {
        await idle();
        if (settled) return promise;
        if (!fireNext(Infinity)) {
          throw new Error('nothing is scheduled and the promise is still pending');
        }
      }
      throw new Error('still pending after 10,000 timers');
    },
    get pending() {
      return timers.length;
    },
  };
}

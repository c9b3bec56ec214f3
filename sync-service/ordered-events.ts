import { AppError, ErrorCode } from '../domain/errors.js';
import { sleep, systemClock, type Clock } from '../platform/clock.js';
import type { TicklerEvent } from '../domain/events.js';
import type { UserId } from '../domain/ids.js';
import type { EventHub } from './hub.js';
import type { ReplaySource } from './replay-source.js';

export interface StreamLimits {
  /** Live events held for one subscription (not yet read by the client, or early). */
  maxBuffered: number;
  /** How long an early live event waits for a missing predecessor before the audit log is asked. */
  gapWaitMs: number;
  /**
   * How long a gap may stay open before it is skipped. Only an event that will never be
   * published can hold one open that long (the relay retries every row, backing off to 60 s).
   */
  gapGiveUpMs: number;
  /**
   * After catching up from a cursor, how long the audit log is still looked at (with growing
   * pauses) for events this replica saw before the client came but the audit log had not stored.
   */
  settleMs: number;
  replayPageSize: number;
  /** How long the first catch-up may keep failing before the subscription ends with an error. */
  replayRetryMs: number;
}

export const defaultStreamLimits: StreamLimits = {
  maxBuffered: 1_000,
  gapWaitMs: 250,
  gapGiveUpMs: 180_000,
  settleMs: 10_000,
  replayPageSize: 500,
  replayRetryMs: 10_000,
};

export interface OrderedEventsDeps {
  userId: UserId;
  /** The last sequence the client saw; undefined starts after the user's latest recorded event. */
  after: number | undefined;
  hub: EventHub;
  source: ReplaySource;
  limits: StreamLimits;
  /** The client fell too far behind; the caller closes its connection (it will resume). */
  onOverflow: () => void;
  /** Sequences `from`..`to` were given up on (see gapGiveUpMs). */
  onGapSkipped?: (from: number, to: number) => void;
  /** A failed attempt to read the audit log (it is retried). */
  onReplayError?: (err: unknown) => void;
  /** An event is handed to the client; `replayed` when it came from the audit log. */
  onDeliver?: (e: TicklerEvent, replayed: boolean) => void;
  /** Every wait and every reading of the time goes through it (tests drive it). */
  clock?: Clock;
}

/** Sequence numbers above every real one: asking for events after it returns only the head. */
const LATEST = Number.MAX_SAFE_INTEGER;

/**
 * One subscription's events, in the user's sequence order, each once: what the client missed
 * (from the audit log), then the live stream. Per-user sequences are contiguous, so a missing
 * number is a gap to fill, not a guess: live events may arrive out of order (the relay publishes
 * different tasks concurrently) or twice (at-least-once delivery), and are held until their turn.
 */
export function orderedEvents(deps: OrderedEventsDeps): AsyncIterableIterator<TicklerEvent> {
  const stop = new AbortController();
  const inner = follow(deps, stop.signal);
  // An async generator cannot be returned from while it awaits; aborting first wakes it.
  const iterator: AsyncIterableIterator<TicklerEvent> = {
    next: () => inner.next(),
    return: async () => {
      stop.abort();
      await inner.return(undefined);
      return { done: true, value: undefined };
    },
    throw: async (err: unknown) => {
      stop.abort();
      return inner.throw(err);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function* follow(
  deps: OrderedEventsDeps,
  signal: AbortSignal,
): AsyncGenerator<TicklerEvent, void, undefined> {
  const { userId, hub, source, limits } = deps;
  const clock = deps.clock ?? systemClock;
  const inbox = new Inbox(limits.maxBuffered, clock);
  // Listen before reading the audit log, so nothing falls between the two.
  const unsubscribe = hub.subscribe(userId, (e) => inbox.add(e));
  try {
    // Without a cursor the stream starts after the latest recorded event: nothing to replay.
    const fromNow = deps.after === undefined;
    const latest = fromNow
      ? await catchUpRead(deps, () => source.eventsAfter(userId, LATEST, 1, signal), signal)
      : undefined;
    // The subscription ended while the audit log was being read: end quietly, no error.
    if (signal.aborted) return;
    const start = deps.after ?? latest!.head;
    inbox.advance(start + 1);

    // First page: must succeed (retried for a while), else the client gets an error and retries.
    let page: TicklerEvent[] | undefined = fromNow
      ? undefined
      : (
          await catchUpRead(
            deps,
            () => source.eventsAfter(userId, start, limits.replayPageSize, signal),
            signal,
          )
        )?.events;
    if (signal.aborted) return;
    let catchingUp = !fromNow;
    // After catching up, the audit log is looked at again after 0.5, 1, 2, 4 s (within settleMs).
    let settleWaitMs = 0;
    let settleLeftMs = 0;
    let gapSince: number | undefined;
    let failedFills = 0;

    while (!signal.aborted) {
      if (inbox.overflowed) {
        deps.onOverflow();
        return;
      }
      // Replayed events first, as long as they continue the sequence.
      if (page) {
        let progressed = false;
        for (const e of page) {
          if (e.sequence < inbox.floor) continue;
          if (e.sequence > inbox.floor) break; // the audit log has a gap of its own, for now
          inbox.advance(e.sequence + 1);
          progressed = true;
          deps.onDeliver?.(e, true);
          yield e;
          if (signal.aborted) return;
        }
        const full = page.length >= limits.replayPageSize;
        page = undefined;
        if (progressed) {
          gapSince = undefined;
          failedFills = 0;
        }
        // A full page that continued the sequence: there is more to read at once.
        if (full && progressed) page = await fill(deps, inbox.floor - 1, signal);
        if (catchingUp && !page) {
          catchingUp = false;
          settleWaitMs = 500;
          settleLeftMs = limits.settleMs;
        }
        if (page) continue;
      }

      const ready = inbox.take(inbox.floor);
      if (ready) {
        inbox.advance(ready.sequence + 1);
        gapSince = undefined;
        failedFills = 0;
        deps.onDeliver?.(ready, false);
        yield ready;
        continue;
      }

      if (inbox.size === 0) {
        // Nothing early is waiting. Right after catching up, the audit log may still be
        // storing events this replica saw live before the client came: look again for a while.
        if (settleWaitMs === 0 || settleWaitMs > settleLeftMs) {
          await inbox.waitForAny(Infinity, signal);
          continue;
        }
        await inbox.waitForAny(settleWaitMs, signal);
        settleLeftMs -= settleWaitMs;
        settleWaitMs *= 2;
        if (inbox.size === 0 && !signal.aborted) page = await fill(deps, inbox.floor - 1, signal);
        continue;
      }

      // An early event is here and its predecessor is not: it may still arrive live; if not,
      // the audit log has it or will (it consumes the same topics), so ask it, backing off.
      gapSince ??= clock.now();
      const waitMs = Math.min(limits.gapWaitMs * 2 ** failedFills, 2_000);
      await inbox.waitFor(inbox.floor, waitMs, signal);
      if (inbox.has(inbox.floor) || signal.aborted || inbox.overflowed) continue;
      page = await fill(deps, inbox.floor - 1, signal);
      if (page?.[0]?.sequence === inbox.floor) continue;
      failedFills++;
      if (clock.now() - gapSince >= limits.gapGiveUpMs) {
        const next = inbox.lowest()!;
        deps.onGapSkipped?.(inbox.floor, next - 1);
        inbox.advance(next);
        gapSince = undefined;
        failedFills = 0;
      }
    }
  } finally {
    unsubscribe();
  }
}

/**
 * Reads the audit log for the catch-up, retrying until limits.replayRetryMs has passed;
 * undefined once the subscription has ended (its reads are aborted: not an error to report).
 */
async function catchUpRead<T>(
  deps: OrderedEventsDeps,
  read: () => Promise<T>,
  signal: AbortSignal,
): Promise<T | undefined> {
  const clock = deps.clock ?? systemClock;
  const giveUpAt = clock.now() + deps.limits.replayRetryMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (signal.aborted) return undefined;
      deps.onReplayError?.(err);
      if (clock.now() >= giveUpAt) {
        throw err instanceof AppError
          ? err
          : new AppError(
              ErrorCode.UNAVAILABLE,
              `cannot replay missed events right now: ${err instanceof Error ? err.message : String(err)}`,
            );
      }
      await sleep(clock, Math.min(200 * 2 ** attempt, 2_000), signal);
    }
  }
}

/** One read of the audit log while following; a failure is reported and treated as "not yet". */
async function fill(
  deps: OrderedEventsDeps,
  after: number,
  signal: AbortSignal,
): Promise<TicklerEvent[] | undefined> {
  try {
    return (await deps.source.eventsAfter(deps.userId, after, deps.limits.replayPageSize, signal))
      .events;
  } catch (err) {
    if (!signal.aborted) deps.onReplayError?.(err);
    return undefined;
  }
}

/** Live events held for one subscription, by sequence; `floor` is the next one the client needs. */
class Inbox {
  private readonly held = new Map<number, TicklerEvent>();
  private wake: (() => void) | undefined;
  floor = 1;
  overflowed = false;

  constructor(
    private readonly capacity: number,
    private readonly clock: Clock,
  ) {}

  add(e: TicklerEvent): void {
    if (e.sequence < this.floor || this.overflowed) return; // a duplicate, or no longer wanted
    this.held.set(e.sequence, e);
    if (this.held.size > this.capacity) {
      this.overflowed = true;
      this.held.clear();
    }
    this.wake?.();
  }

  has(sequence: number): boolean {
    return this.held.has(sequence);
  }

  take(sequence: number): TicklerEvent | undefined {
    const e = this.held.get(sequence);
    if (e) this.held.delete(sequence);
    return e;
  }

  advance(floor: number): void {
    this.floor = floor;
    if (this.held.size === 0) return;
    for (const s of this.held.keys()) if (s < floor) this.held.delete(s);
  }

  lowest(): number | undefined {
    let min: number | undefined;
    for (const s of this.held.keys()) if (min === undefined || s < min) min = s;
    return min;
  }

  get size(): number {
    return this.held.size;
  }

  /** Resolves when any event arrives, after `ms`, or on abort. */
  waitForAny(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        cancel?.();
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const cancel = Number.isFinite(ms) ? this.clock.after(ms, done) : undefined;
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** Resolves when `sequence` arrives (or the buffer overflows), after `ms`, or on abort. */
  async waitFor(sequence: number, ms: number, signal: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + ms;
    while (!this.has(sequence) && !this.overflowed && !signal.aborted) {
      const left = deadline - this.clock.now();
      if (left <= 0) return;
      await this.waitForAny(left, signal);
    }
  }
}

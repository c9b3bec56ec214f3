import { constants } from 'node:os';

/** Something that started processes: `stop` ends them in order, `killNow` is the sync fallback. */
export interface Stoppable {
  stop(): Promise<void>;
  killNow(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Starts `start`, runs `fn` with what it started and stops it afterwards, also when the process
 * gets SIGINT or SIGTERM meanwhile. The stack's processes run in their own process groups (so
 * that Ctrl-C reaches only the supervisor), hence nobody else stops them: without a handler the
 * supervisor dies on the signal, its `finally` never runs and they keep running.
 *
 * A signal during `start` aborts the AbortSignal it was given; `start` must then stop what it
 * started and reject. Either way the process exits with 128 + the signal's number once
 * everything is stopped. A second signal is not handled: the process dies at once and the exit
 * hook SIGKILLs whatever is still running.
 */
export async function withStopOnSignal<R extends Stoppable, T>(
  start: (abort: AbortSignal) => Promise<R>,
  fn: (started: R) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let started: R | undefined;
  const starting = start(controller.signal).then((r) => (started = r));
  // The rejection is the caller's to see (below); the handler only waits for it.
  const settled = starting.then(
    () => {},
    () => {},
  );
  const killNow = () => started?.killNow();
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      controller.abort();
      void settled
        .then(() => started?.stop())
        .catch(() => {})
        .finally(() => process.exit(128 + constants.signals[signal]));
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  process.on('exit', killNow);
  const detach = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off('exit', killNow);
  };

  // Once interrupted, whatever `start` or `fn` does next (failing as their processes go away)
  // is moot: the handler exits when everything is stopped.
  const unlessInterrupted = async <V>(work: Promise<V>): Promise<V> => {
    try {
      return await work;
    } finally {
      if (controller.signal.aborted) await new Promise<never>(() => {});
    }
  };
  let r: R;
  try {
    r = await unlessInterrupted(starting);
  } catch (err) {
    detach();
    throw err;
  }
  try {
    return await unlessInterrupted(fn(r));
  } finally {
    await r.stop();
    detach();
  }
}

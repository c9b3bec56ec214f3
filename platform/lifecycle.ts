import type { Logger } from './logger.js';

export type Closer = { name: string; close: () => Promise<unknown> | unknown };

/**
 * Closes what a process opened in reverse order of opening, once, on SIGINT or SIGTERM.
 * Entry points register each resource right after opening it.
 */
export function createLifecycle(log: Logger) {
  const closers: Closer[] = [];
  let closing: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      log.info({ reason }, 'shutting down');
      for (const c of closers.reverse()) {
        try {
          await c.close();
        } catch (err) {
          log.error({ err, resource: c.name }, 'error while closing');
        }
      }
    })();
    return closing;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal).then(() => process.exit(0)));
  }

  return {
    add<T>(name: string, resource: T, close: (r: T) => Promise<unknown> | unknown): T {
      closers.push({ name, close: () => close(resource) });
      return resource;
    },
    shutdown,
  };
}

/** Every entry point ends with `main().catch(fatal)`. */
export function fatal(err: unknown): never {
  console.error(
    JSON.stringify({
      level: 'fatal',
      msg: 'process failed',
      err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
    }),
  );
  process.exit(1);
}

/** For command-line tools (the stack, scripts): a plain one-paragraph message, no stack trace. */
export function cliFatal(err: unknown): never {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

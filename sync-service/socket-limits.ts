/** What one replica lets a client open (sync-service/config.ts has the defaults and why). */
export interface SocketLimits {
  /** ws maxPayload: a larger message closes the socket (1009) before it is read. */
  maxFrameBytes: number;
  /** graphql-ws connectionInitWaitTimeout (4408). */
  initTimeoutMs: number;
  maxSocketsPerUser: number;
  maxSocketsPerAddress: number;
  maxSubscriptionsPerSocket: number;
}

/**
 * Open sockets per key (a user, an address). `open` counts one more and returns its release
 * (idempotent), or undefined when the key is already at `max`.
 */
export function createSocketCounter(max: number) {
  const open = new Map<string, number>();
  return {
    open(key: string): (() => void) | undefined {
      const n = open.get(key) ?? 0;
      if (n >= max) return undefined;
      open.set(key, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
    count: (key: string): number => open.get(key) ?? 0,
  };
}

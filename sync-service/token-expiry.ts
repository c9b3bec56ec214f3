/** setTimeout's longest delay (about 24.8 days); a later expiry is re-armed when it ends. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `close` when `expiresAt` passes: a socket authenticated once must not outlive its
 * token. Returns a cancel function (for when the socket closes first).
 */
export function closeAtExpiry(expiresAt: Date, close: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAt.getTime() - Date.now();
    if (left <= 0) return close();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

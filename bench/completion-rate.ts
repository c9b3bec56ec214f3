/**
 * Completions per second from the window's opening to the last completion: bench:ceiling's and
 * bench:reminders' rate_per_s, computed alike so that one can be divided by the other. While
 * the system keeps up it is the offered rate (count / window); past saturation, what it sustains.
 */
export function completionRate(completedAt: number[], opensAt: number): number {
  if (completedAt.length === 0) return 0;
  const last = Math.max(...completedAt);
  return completedAt.length / (Math.max(1, last - opensAt) / 1000);
}

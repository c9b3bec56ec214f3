import { unavailable } from '../domain/errors.js';
import type { UserId } from '../domain/ids.js';
import type { ReplaySource } from './replay-source.js';

export interface ReplayGateLimits {
  /** Reads of the audit log in flight at once on this replica. */
  maxConcurrent: number;
  /** Of those, at most this many for one user (one user's sockets cannot take every slot). */
  maxPerUser: number;
  /**
   * Reads waiting for a slot at most; one more is UNAVAILABLE at once (the client retries with
   * its backoff) rather than a queue that grows with every resuming socket.
   */
  maxWaiting: number;
}

interface Waiter {
  userId: UserId;
  go: () => void;
}

/**
 * Bounds the reads a replica makes of the audit log: when many clients resume at once (a
 * replica restarts, a network blip), they queue here instead of flooding the audit service and
 * its database. A waiting read is served first come, first served among the users below their
 * own cap; an aborted one (its subscription ended) leaves the queue. A per-key semaphore with
 * abort is not what p-limit or p-queue offer (one global limit, no per-item signal), so it is
 * written here.
 */
export function createReplayGate(limits: ReplayGateLimits) {
  let running = 0;
  const perUser = new Map<UserId, number>();
  const waiting: Waiter[] = [];

  const mayRun = (userId: UserId): boolean =>
    running < limits.maxConcurrent && (perUser.get(userId) ?? 0) < limits.maxPerUser;
  const take = (userId: UserId): void => {
    running++;
    perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
  };
  const release = (userId: UserId): void => {
    running--;
    const left = (perUser.get(userId) ?? 1) - 1;
    if (left > 0) perUser.set(userId, left);
    else perUser.delete(userId);
    // A freed slot goes to a waiter at once, so a newcomer never overtakes one that may run.
    for (let i = 0; i < waiting.length && running < limits.maxConcurrent;) {
      const w = waiting[i]!;
      if (!mayRun(w.userId)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      take(w.userId);
      w.go();
    }
  };

  const acquire = (userId: UserId, signal: AbortSignal | undefined): Promise<void> => {
    if (mayRun(userId)) {
      take(userId);
      return Promise.resolve();
    }
    if (waiting.length >= limits.maxWaiting)
      return Promise.reject(
        unavailable(`too many clients catching up on this replica (${waiting.length} waiting)`, 2),
      );
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        userId,
        go: () => {
          signal?.removeEventListener('abort', abandon);
          resolve();
        },
      };
      function abandon() {
        const at = waiting.indexOf(waiter);
        if (at >= 0) waiting.splice(at, 1);
        reject(signal!.reason);
      }
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', abandon, { once: true });
      waiting.push(waiter);
    });
  };

  return {
    /** `source` with every read passed through the gate. */
    wrap(source: ReplaySource): ReplaySource {
      return {
        async eventsAfter(userId, after, limit, signal) {
          await acquire(userId, signal);
          try {
            return await source.eventsAfter(userId, after, limit, signal);
          } finally {
            release(userId);
          }
        },
      };
    },
    stats: () => ({ running, waiting: waiting.length }),
  };
}
export type ReplayGate = ReturnType<typeof createReplayGate>;

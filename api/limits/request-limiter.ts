import { LRUCache } from 'lru-cache';
import { rateLimited } from '../../domain/errors.js';

export interface RequestLimiterOptions {
  /** Requests per second a user may make for as long as they like. */
  ratePerSecond: number;
  /** How many requests a user may make at once after being idle. */
  burst: number;
  /** Users tracked at most; the least recently seen are forgotten first. */
  maxUsers?: number;
  now?: () => number;
}

export interface RequestLimiter {
  /** Takes one request from the user's budget, or throws RATE_LIMITED with Retry-After. */
  take(userId: string): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per user: `burst` requests at once, refilled at `ratePerSecond`. A bucket that
 * has refilled is the same as no bucket, so each one is dropped once it would be full again
 * (lru-cache's ttl), and at most `maxUsers` are kept (lru-cache's max): memory stays bounded
 * however many users come and go. Forgetting a user under pressure hands them a full bucket,
 * which is the safe direction for a limiter of authenticated callers.
 *
 * lru-cache does the bounded, expiring map; the bucket itself is a few lines of arithmetic. The
 * rate-limiter libraries offer only asynchronous checks, and this one runs on every request
 * right after the token is verified, before any other work.
 */
export function createRequestLimiter({
  ratePerSecond,
  burst,
  maxUsers = 100_000,
  now = Date.now,
}: RequestLimiterOptions): RequestLimiter {
  const refillMs = Math.ceil((burst / ratePerSecond) * 1000);
  const buckets = new LRUCache<string, Bucket>({ max: maxUsers, ttl: refillMs });
  return {
    take(userId) {
      const t = now();
      const last = buckets.get(userId);
      const tokens = last
        ? Math.min(burst, last.tokens + ((t - last.at) / 1000) * ratePerSecond)
        : burst;
      if (tokens < 1) {
        const wait = (1 - tokens) / ratePerSecond;
        throw rateLimited(`too many requests: at most ${ratePerSecond} a second`, wait);
      }
      buckets.set(userId, { tokens: tokens - 1, at: t });
    },
  };
}

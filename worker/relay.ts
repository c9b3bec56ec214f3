import { AppError, ErrorCode } from '../domain/errors.js';
import {
  claimPending,
  markDelivered,
  markFailed,
  markQuarantined,
  type Destination,
  type OutboxRow,
} from '../db/outbox.js';
import type { Sql } from '../db/sql.js';
import type { Logger } from '../platform/logger.js';

export interface RelayDeps {
  sql: Sql;
  /**
   * Delivers one row's side effects; throws to have the row retried later, or an AppError with
   * code BAD_EVENT when it can never succeed (the row is then quarantined, not retried).
   */
  deliver: (row: OutboxRow) => Promise<void>;
  log: Logger;
  batchSize?: number;
  /** The safety sweep: how often to look for rows even without a NOTIFY. */
  sweepMs?: number;
  maxBackoffMs?: number;
  /** Which of a row's destinations this relay serves; run one relay per destination. */
  destination?: Destination;
  /** How many rows of a batch are delivered at once (each batch holds one row per subject). */
  concurrency?: number;
}

export interface Relay {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Drains the outbox: LISTEN/NOTIFY wakes it at commit time, a periodic sweep catches anything a
 * lost notification or a failed attempt left behind. Delivery is at least once; each row is
 * marked in the same transaction that holds its row lock, so two relays never send it at once.
 */
export function createRelay({
  sql,
  deliver,
  log,
  batchSize = 100,
  sweepMs = 1000,
  maxBackoffMs = 60_000,
  destination = 'publish',
  concurrency = 16,
}: RelayDeps): Relay {
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  // A NOTIFY that arrives while a batch is being drained must not be lost: remember it.
  let notified = false;
  let unlisten: (() => Promise<void>) | undefined;

  const backoffMs = (attempts: number): number =>
    Math.min(maxBackoffMs, 250 * 2 ** Math.min(attempts, 16));

  async function drainBatch(): Promise<number> {
    return sql.begin(async (tx) => {
      const rows = await claimPending(tx, batchSize, destination);
      // claimPending holds back every row with an older one of its subject still owed, so a
      // batch has at most one row per subject: delivering its rows at once keeps per-subject
      // order while a slow round trip (a Temporal signal) no longer serialises the batch.
      let next = 0;
      const lane = async (): Promise<void> => {
        for (let row = rows[next++]; row; row = rows[next++]) {
          try {
            await deliver(row);
            await markDelivered(tx, row.id, destination);
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            if (err instanceof AppError && err.code === ErrorCode.BAD_EVENT) {
              // Poison: retrying cannot help, and waiting on it would stall its task for good.
              log.error(
                { eventId: row.id, type: row.event.type, err: message },
                `outbox ${destination} quarantined: undeliverable`,
              );
              await markQuarantined(tx, row.id, message, destination);
              continue;
            }
            log.warn(
              { eventId: row.id, type: row.event.type, attempts: row.attempts + 1, err: message },
              `outbox ${destination} failed; will retry`,
            );
            await markFailed(tx, row.id, message, backoffMs(row.attempts), destination);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
      return rows.length;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      notified = false;
      try {
        while (running && (await drainBatch()) > 0);
      } catch (err) {
        log.error({ err }, 'outbox sweep failed');
      }
      if (!running) break;
      if (notified) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sweepMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    async start() {
      running = true;
      const sub = await sql.listen('outbox', () => {
        notified = true;
        wake?.();
      });
      unlisten = sub.unlisten;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await unlisten?.();
    },
  };
}

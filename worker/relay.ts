import { AppError, ErrorCode } from '../domain/errors.js';
import {
  claimPending,
  markDeliveredMany,
  markFailed,
  markQuarantined,
  type Destination,
  type OutboxRow,
} from '../db/outbox.js';
import { transaction, type Sql } from '../db/sql.js';
import type { Logger } from '../platform/logger.js';

export interface RelayDeps {
  sql: Sql;
  /**
   * Delivers a batch's rows (at most one per subject) and says how each went: a row missing from
   * the answer was delivered; an error has it retried later, unless it is an AppError with code
   * BAD_EVENT: it can never succeed, and the row is quarantined instead. `deliverEach` makes one
   * from a function that delivers one row.
   */
  deliver: DeliverBatch;
  log: Logger;
  batchSize?: number;
  /** The safety sweep: how often to look for rows even without a NOTIFY. */
  sweepMs?: number;
  maxBackoffMs?: number;
  /** Which of a row's destinations this relay serves; run one relay per destination. */
  destination?: Destination;
  /**
   * How many batches are claimed and delivered at once, each in its own transaction (and
   * database connection). With one, a row committed while a batch is out waits for that whole
   * batch, its slowest row included; with more, an idle loop claims it at once. Ordering per
   * subject still holds: claimPending skips a row while an older one of its subject is owed,
   * also one locked by another loop, exactly as between relay replicas.
   */
  batchesInFlight?: number;
}

/** Row id → why it failed; rows not in it were delivered. */
export type DeliverBatch = (rows: OutboxRow[]) => Promise<Map<string, unknown>>;

/**
 * A batch delivery from a one-row delivery, `concurrency` rows at a time: claimPending holds
 * back every row with an older one of its subject still owed, so a batch has at most one row per
 * subject, and delivering its rows at once keeps per-subject order.
 */
export function deliverEach(
  deliverOne: (row: OutboxRow) => Promise<void>,
  concurrency = 16,
): DeliverBatch {
  return async (rows) => {
    const failed = new Map<string, unknown>();
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let row = rows[next++]; row; row = rows[next++]) {
        try {
          await deliverOne(row);
        } catch (err) {
          failed.set(row.id, err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
    return failed;
  };
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
  batchesInFlight = 1,
}: RelayDeps): Relay {
  let running = false;
  let loops: Promise<void>[] = [];
  const sleepers = new Set<() => void>();
  const wakeAll = (): void => {
    for (const wake of [...sleepers]) wake();
  };
  // A NOTIFY that arrives while a loop drains must not be lost: each loop compares this count
  // before and after its drain.
  let notifications = 0;
  let unlisten: (() => Promise<void>) | undefined;

  const backoffMs = (attempts: number): number =>
    Math.min(maxBackoffMs, 250 * 2 ** Math.min(attempts, 16));

  async function drainBatch(): Promise<number> {
    return transaction(sql, async (tx) => {
      const rows = await claimPending(tx, batchSize, destination);
      if (rows.length === 0) return 0;
      const failed = await deliver(rows);
      // One statement for everything that went out: per-row updates were a round trip each.
      await markDeliveredMany(
        tx,
        rows.filter((r) => !failed.has(r.id)).map((r) => r.id),
        destination,
      );
      for (const row of rows) {
        if (!failed.has(row.id)) continue;
        const err = failed.get(row.id);
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
      return rows.length;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      const seen = notifications;
      try {
        while (running && (await drainBatch()) > 0);
      } catch (err) {
        log.error({ err }, 'outbox sweep failed');
      }
      if (!running) break;
      if (notifications !== seen) continue;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, sweepMs);
        sleepers.add(wake);
      });
    }
  }

  return {
    async start() {
      running = true;
      const sub = await sql.listen('outbox', () => {
        notifications++;
        wakeAll();
      });
      unlisten = sub.unlisten;
      loops = Array.from({ length: Math.max(1, batchesInFlight) }, run);
    },
    async stop() {
      running = false;
      wakeAll();
      await Promise.all(loops);
      await unlisten?.();
    },
  };
}

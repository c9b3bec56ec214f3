import type { UserId } from '../domain/ids.js';
import type { Db } from './sql.js';

/**
 * Creates the user on first use and takes the next number of their event sequence. Runs in the
 * caller's transaction: the row lock it takes orders that user's events by commit.
 */
export async function nextEventSequence(db: Db, userId: UserId): Promise<number> {
  const [row] = await db<{ eventSequence: string }[]>`
    INSERT INTO users (id, event_sequence) VALUES (${userId}, 1)
    ON CONFLICT (id) DO UPDATE SET event_sequence = users.event_sequence + 1
    RETURNING event_sequence`;
  return Number(row!.eventSequence);
}

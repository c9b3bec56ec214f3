import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';

// Branded ids: a TaskId can never be passed where a UserId is expected.
export const TaskId = z.uuid().brand<'TaskId'>();
export type TaskId = z.infer<typeof TaskId>;

// A user id is whatever the identity provider puts in the JWT `sub`.
export const UserId = z.string().min(1).max(200).brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;

export const EventId = z.uuid().brand<'EventId'>();
export type EventId = z.infer<typeof EventId>;

export const newTaskId = (): TaskId => randomUUID() as TaskId;
export const newEventId = (): EventId => randomUUID() as EventId;

export const isUuid = (s: string): boolean => z.uuid().safeParse(s).success;

/**
 * The id a create with an idempotency key gives what it creates: a name-based UUID (version 5
 * layout, SHA-1) of `scope` and the key, so a retried create names the same row and finds it
 * instead of making a second one. `scope` holds whose it is (the user, the task): two callers'
 * equal keys never meet.
 */
export function idFromKey(scope: string, key: string): string {
  // The scope is length-prefixed: no scope and key can be shifted into another pair.
  const h = createHash('sha1').update(`tickler:${scope.length}:${scope}:`).update(key).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

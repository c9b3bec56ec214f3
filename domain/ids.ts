import { randomUUID } from 'node:crypto';
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

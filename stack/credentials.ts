import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppId } from './ports.js';

// Per-stack secrets for Kafka (SASL/SCRAM users) and PostgreSQL (the owner's and each service
// role's password), generated the first time a stack starts in a state folder and kept there
// (mode 0600): the dev stack finds the same ones on every run (Kafka's SCRAM credentials live in
// its metadata log, written when the log is formatted), a test stack gets fresh ones.

/** Kafka users: one per app's sidecar, the broker itself (inter-broker), the stack's tools. */
export type KafkaUser = AppId | 'broker' | 'admin';
const KAFKA_USERS: readonly KafkaUser[] = [
  'broker',
  'admin',
  'api',
  'worker',
  'sync-service',
  'audit-service',
];

/** The database role each service logs in as (db/migrations/0011_service_roles.sql). */
export const SERVICE_ROLES = {
  api: 'tickler_api',
  worker: 'tickler_worker',
  'audit-service': 'tickler_audit',
} as const satisfies Partial<Record<AppId, string>>;
export type ServiceRole = (typeof SERVICE_ROLES)[keyof typeof SERVICE_ROLES];

/** The migrations' owner: the role initdb creates (a superuser of the stack's own cluster). */
export const OWNER_ROLE = 'tickler';

export interface StackCredentials {
  /** SCRAM-SHA-512 passwords by Kafka user name. */
  kafka: Record<KafkaUser, string>;
  /** Passwords by PostgreSQL role name. */
  postgres: Record<typeof OWNER_ROLE | ServiceRole, string>;
}

// base64url: no character that needs quoting in a URL, a JAAS option or StorageTool's
// `--add-scram 'SCRAM-SHA-512=[name=...,password=...]'`.
const secret = (): string => randomBytes(24).toString('base64url');

function generate(): StackCredentials {
  const kafka = Object.fromEntries(KAFKA_USERS.map((u) => [u, secret()])) as Record<
    KafkaUser,
    string
  >;
  const postgres = Object.fromEntries(
    [OWNER_ROLE, ...Object.values(SERVICE_ROLES)].map((r) => [r, secret()]),
  ) as StackCredentials['postgres'];
  return { kafka, postgres };
}

const complete = (c: Partial<StackCredentials>): c is StackCredentials =>
  KAFKA_USERS.every((u) => typeof c.kafka?.[u] === 'string') &&
  [OWNER_ROLE, ...Object.values(SERVICE_ROLES)].every(
    (r) => typeof c.postgres?.[r as keyof StackCredentials['postgres']] === 'string',
  );

/** The stack's credentials in `state`, created on first use. */
export function stackCredentials(state: string): StackCredentials {
  const file = join(state, 'credentials.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackCredentials>;
    // A file from an older stack that lacks a user is replaced whole: Kafka is then formatted
    // again with the new set (stack/components.ts), PostgreSQL passwords are set at each start.
    if (complete(stored)) return stored;
  }
  const fresh = generate();
  writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600 });
  return fresh;
}

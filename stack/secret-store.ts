import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_REF_PREFIX } from '../platform/dapr-secrets.js';
import { stackDaprTokens } from './dapr-tokens.js';
import type { AppId } from './ports.js';

// The local stack's Dapr secret store (dapr/components/secretstore.yaml, `secretstores.local.file`
// named like the chart's Kubernetes store): one JSON file per app, <state>/secrets/<app>.json
// (mode 0600, folder 0700), shaped like Kubernetes Secrets (secret → key → value, the
// component's `multiValued`) under the chart's default Secret names, so an app's references
// (SECRET_REF_*) read the same here and in a cluster. Each sidecar is given only its own app's
// file (TICKLER_SECRETS_FILE, the component's `envRef`), as each pod's Role allows only its own
// Secrets. The store reads its file once, when the sidecar starts: the files are written before.

/** The store's component name (dapr/components/secretstore.yaml; the chart's dapr.secretStore.name). */
export const SECRET_STORE = 'tickler-secrets';

/** Where a variable's value lives: the chart's default Secret and key. */
interface Ref {
  secret: string;
  key: string;
}

const DATABASE: Record<Exclude<AppId, 'sync-service'>, Ref> = {
  api: { secret: 'tickler-db-api', key: 'DATABASE_URL' },
  worker: { secret: 'tickler-db-worker', key: 'DATABASE_URL' },
  'audit-service': { secret: 'tickler-db-audit', key: 'DATABASE_URL' },
};
const JWT: Ref = { secret: 'tickler-jwt', key: 'JWT_SECRET' };
const APP_TOKEN: Ref = { secret: 'tickler-dapr-app-token', key: 'token' };

/** Each app's secrets, by variable: which reference, which value. */
export interface StackSecrets {
  jwtSecret: string;
  databaseUrl: (appId: Exclude<AppId, 'sync-service'>) => string;
  appApiToken: string;
}

function appSecrets(appId: AppId, s: StackSecrets): Record<string, Ref & { value: string }> {
  const jwt = { JWT_SECRET: { ...JWT, value: s.jwtSecret } };
  const appToken = { APP_API_TOKEN: { ...APP_TOKEN, value: s.appApiToken } };
  switch (appId) {
    case 'api':
      return { DATABASE_URL: { ...DATABASE.api, value: s.databaseUrl('api') }, ...jwt };
    case 'worker':
      return { DATABASE_URL: { ...DATABASE.worker, value: s.databaseUrl('worker') } };
    case 'sync-service':
      return { ...jwt, ...appToken };
    case 'audit-service':
      return {
        DATABASE_URL: { ...DATABASE['audit-service'], value: s.databaseUrl('audit-service') },
        ...appToken,
      };
  }
}

export const secretsFile = (state: string, appId: AppId): string =>
  join(state, 'secrets', `${appId}.json`);

/** Writes every app's file; at each start, so a changed credential reaches the store. */
export function writeSecretFiles(state: string, appIds: readonly AppId[], s: StackSecrets): void {
  mkdirSync(join(state, 'secrets'), { recursive: true, mode: 0o700 });
  for (const appId of appIds) {
    const doc: Record<string, Record<string, string>> = {};
    for (const { secret, key, value } of Object.values(appSecrets(appId, s)))
      (doc[secret] ??= {})[key] = value;
    writeFileSync(secretsFile(state, appId), JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  }
}

/**
 * The app's secrets as its environment carries them: references to the store (a sidecar runs
 * beside it), or the values themselves (`from: 'env'`, for an app run without one). The
 * variables themselves are unset in the first case, so one inherited from the shell cannot
 * shadow the store (an undefined value is left out of a child's environment).
 */
export function secretEnv(
  appId: AppId,
  s: StackSecrets,
  from: 'store' | 'env' = 'store',
): NodeJS.ProcessEnv {
  const secrets = Object.entries(appSecrets(appId, s));
  if (from === 'env') return Object.fromEntries(secrets.map(([v, { value }]) => [v, value]));
  return {
    SECRET_STORE,
    ...Object.fromEntries(secrets.map(([v]) => [v, undefined])),
    ...Object.fromEntries(
      secrets.map(([v, { secret, key }]) => [`${SECRET_REF_PREFIX}${v}`, `${secret}/${key}`]),
    ),
  };
}

/** StackSecrets from what the stack keeps in its state folder. */
export function stackSecrets(
  state: string,
  jwtSecret: string,
  databaseUrl: StackSecrets['databaseUrl'],
): StackSecrets {
  return { jwtSecret, databaseUrl, appApiToken: stackDaprTokens(state).appApiToken };
}

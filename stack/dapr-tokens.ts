import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The stack's two Dapr tokens (platform/dapr-tokens.ts says what each guards), generated the
// first time a stack starts in a state folder and kept there (mode 0600), like the stack's
// other credentials (stack/credentials.ts): every sidecar and app of one stack shares them, a
// test stack gets fresh ones.

export interface DaprTokens {
  /** The sidecars require it on their API; the apps send it. */
  daprApiToken: string;
  /** The sidecars send it to their apps; the apps require it on the routes Dapr calls. */
  appApiToken: string;
}

const token = (): string => randomBytes(32).toString('base64url');

export function stackDaprTokens(state: string): DaprTokens {
  const file = join(state, 'dapr-tokens.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DaprTokens>;
    if (typeof stored.daprApiToken === 'string' && typeof stored.appApiToken === 'string')
      return { daprApiToken: stored.daprApiToken, appApiToken: stored.appApiToken };
  }
  const fresh: DaprTokens = { daprApiToken: token(), appApiToken: token() };
  writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600 });
  return fresh;
}

/** What a sidecar needs in its environment to require one token and send the other. */
export const sidecarTokenEnv = (t: DaprTokens): NodeJS.ProcessEnv => ({
  DAPR_API_TOKEN: t.daprApiToken,
  APP_API_TOKEN: t.appApiToken,
});

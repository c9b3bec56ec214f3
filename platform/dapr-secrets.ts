// A service's secrets come from its Dapr sidecar's secret store, read once at start-up, before
// the configuration is validated (main.ts: readConfig(X, await envWithDaprSecrets(process.env))).
//
//   SECRET_STORE=tickler-secrets                      the store (a Dapr component name)
//   SECRET_REF_DATABASE_URL=tickler-db-api/DATABASE_URL   <variable> comes from <secret>/<key>
//   SECRET_STORE_TIMEOUT_MS=60000                     how long to wait for the sidecar
//
// One variable per reference: a Deployment lists them beside its other settings (a ConfigMap in
// the chart), and a reference names a Kubernetes Secret and one of its keys, which is what both
// stores answer (the chart's `secretstores.kubernetes`; the local stack's `secretstores.local.file`
// with `multiValued`). The values join a copy of the environment handed to readConfig; the
// process's own environment never holds them.
//
// Without SECRET_STORE nothing is fetched and the variables are read from the environment as
// they are: a process run by hand, the image test, the chart's hook Jobs (migrations, search
// attributes, helm test), which run without a sidecar.
//
// DAPR_API_TOKEN cannot come from here: it is what the sidecar asks for before it answers.
import { sleep, systemClock, type Clock } from './clock.js';

export const SECRET_REF_PREFIX = 'SECRET_REF_';

/** Where one variable's value is kept: a secret of the store and one of its keys. */
export interface SecretRef {
  variable: string;
  secret: string;
  key: string;
}

export interface SecretStoreSettings {
  store: string;
  refs: SecretRef[];
  /** The sidecar's HTTP API, e.g. 127.0.0.1:3500, and the token it asks for. */
  sidecar: { host: string; port: string; apiToken: string | undefined };
  timeoutMs: number;
}

/** What this needs of @dapr/dapr's DaprClient (which satisfies it); a unit test fakes it. */
export interface DaprSecretClient {
  secret: { get(store: string, name: string): Promise<object> };
}

// Kubernetes Secret names and keys, Dapr component names: nothing that needs escaping in the
// URL the SDK builds (/v1.0/secrets/<store>/<name>, not encoded).
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const VARIABLE = /^[A-Z][A-Z0-9_]*$/;
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The store and references `env` declares, or undefined when it names no store. Every problem
 * is reported at once, like readConfig's: a misconfigured Deployment is fixed in one round.
 */
export function secretStoreSettings(env: NodeJS.ProcessEnv): SecretStoreSettings | undefined {
  const problems: string[] = [];
  const store = env.SECRET_STORE?.trim() || undefined;
  const refs: SecretRef[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(SECRET_REF_PREFIX) || value === undefined) continue;
    const variable = name.slice(SECRET_REF_PREFIX.length);
    const [secret, key, ...rest] = value.split('/');
    if (!VARIABLE.test(variable)) problems.push(`${name}: not a variable name`);
    else if (!secret || !key || rest.length || !NAME.test(secret) || !NAME.test(key))
      problems.push(`${name}: must be <secret>/<key> (letters, digits, '.', '_', '-')`);
    else if (env[variable] !== undefined)
      problems.push(`${variable}: set in the environment and by ${name}; keep one`);
    else refs.push({ variable, secret, key });
  }
  if (!store) {
    if (refs.length || problems.length)
      problems.push('SECRET_STORE: required when a SECRET_REF_* variable is set');
    if (problems.length) throw settingsError(problems);
    return undefined;
  }
  if (!NAME.test(store)) problems.push('SECRET_STORE: not a Dapr component name');
  // The service's own default sidecar port differs per service (config.ts): say it here.
  const port = env.DAPR_HTTP_PORT;
  if (!port || !/^\d{1,5}$/.test(port))
    problems.push("DAPR_HTTP_PORT: required with SECRET_STORE (the sidecar's HTTP port)");
  const timeoutMs = Number(env.SECRET_STORE_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    problems.push('SECRET_STORE_TIMEOUT_MS: must be a positive whole number of milliseconds');
  if (problems.length) throw settingsError(problems);
  return {
    store,
    refs,
    sidecar: { host: env.DAPR_HOST || '127.0.0.1', port: port!, apiToken: env.DAPR_API_TOKEN },
    timeoutMs,
  };
}

const settingsError = (problems: string[]) =>
  new Error(`invalid secret store settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);

export interface ReadOptions {
  /** An answered failure (the store refused or lacks the secret) is tried this often in all. */
  attempts?: number;
  retryDelayMs?: number;
  /** Waits and the deadline go through it (tests drive it). */
  clock?: Clock;
}

/** What went wrong with one call, told apart from the SDK's errors. */
type Failure = { answered: true; status: number; detail: string } | { answered: false };

// @dapr/dapr 3.18's HTTP client throws Error(JSON.stringify({ error, error_msg, status })) when
// the sidecar answers with an error, and Error('DAPR_SIDECAR_COULD_NOT_BE_STARTED') (or a fetch
// error) when it does not answer at all.
function failureOf(err: unknown): Failure {
  try {
    const body = JSON.parse(err instanceof Error ? err.message : String(err)) as {
      status?: unknown;
      error_msg?: unknown;
    };
    if (typeof body.status === 'number') {
      let detail = String(body.error_msg ?? '');
      try {
        const dapr = JSON.parse(detail) as { errorCode?: string; message?: string };
        if (dapr.message) detail = `${dapr.errorCode ?? 'error'}: ${dapr.message}`;
      } catch {
        // not Dapr's JSON error body: keep the text
      }
      return { answered: true, status: body.status, detail };
    }
  } catch {
    // not the SDK's JSON: the sidecar did not answer
  }
  return { answered: false };
}

/**
 * The values `settings` refers to, by variable. Waits for the sidecar until the deadline; a
 * sidecar that answers with an error is asked again briefly (its store may still be starting),
 * then start-up fails naming the store, the secret and the key, never a value.
 */
export async function readSecrets(
  settings: SecretStoreSettings,
  client: DaprSecretClient,
  { attempts = 3, retryDelayMs = 500, clock = systemClock }: ReadOptions = {},
): Promise<Record<string, string>> {
  const { store, timeoutMs } = settings;
  const where = `Dapr secret store "${store}" (sidecar ${settings.sidecar.host}:${settings.sidecar.port})`;
  const tooLate = new Error(
    `${where}: the sidecar did not answer within ${timeoutMs} ms ` +
      '(is it running, and does it accept DAPR_API_TOKEN?)',
  );
  let cancelDeadline = (): void => {};
  const expired = new Promise<never>((_, reject) => {
    cancelDeadline = clock.after(timeoutMs, () => reject(tooLate));
  });
  // Raced below, so never an unhandled rejection on its own; a wait between attempts ends with it.
  const gaveUp = new AbortController();
  expired.catch(() => gaveUp.abort());

  const fetchSecret = async (secret: string): Promise<Record<string, unknown>> => {
    for (let refusals = 0; ;) {
      let failure: Failure;
      try {
        const data = await Promise.race([client.secret.get(store, secret), expired]);
        if (data && typeof data === 'object') return data as Record<string, unknown>;
        failure = { answered: true, status: 200, detail: 'an empty answer' };
      } catch (err) {
        if (err === tooLate) throw err;
        failure = failureOf(err);
      }
      // Not answering is waited out until the deadline; an answer is final after a few tries.
      if (failure.answered && ++refusals >= attempts)
        throw new Error(
          `${where}: cannot read secret "${secret}" (HTTP ${failure.status}, ${failure.detail})`,
        );
      await Promise.race([sleep(clock, retryDelayMs, gaveUp.signal), expired]);
    }
  };

  try {
    const secrets = [...new Set(settings.refs.map((r) => r.secret))];
    const fetched = new Map(
      await Promise.all(secrets.map(async (s) => [s, await fetchSecret(s)] as const)),
    );
    const values: Record<string, string> = {};
    const missing: string[] = [];
    for (const { variable, secret, key } of settings.refs) {
      const value = fetched.get(secret)?.[key];
      if (typeof value === 'string') values[variable] = value;
      else missing.push(`${variable}: secret "${secret}" has no key "${key}"`);
    }
    if (missing.length) throw new Error(`${where}:\n${missing.map((m) => `  ${m}`).join('\n')}`);
    return values;
  } finally {
    cancelDeadline();
    gaveUp.abort();
  }
}

/** The Dapr SDK's client for the sidecar's HTTP API, and how to let it go. */
export interface ConnectedClient {
  client: DaprSecretClient;
  close(): Promise<void>;
}

// HTTP, not gRPC: the services already reach their sidecar over its HTTP port, and the SDK's
// HTTP client needs nothing more at start-up (the gRPC one would open a channel, and a port of
// its own, for a handful of reads). Loaded only when a store is configured: the SDK costs about
// half a second to load, which a process without a sidecar need not pay.
async function connectSdk(sidecar: SecretStoreSettings['sidecar']): Promise<ConnectedClient> {
  const { DaprClient, CommunicationProtocolEnum, LogLevel } = await import('@dapr/dapr');
  const client = new DaprClient({
    daprHost: sidecar.host,
    daprPort: sidecar.port,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    ...(sidecar.apiToken ? { daprApiToken: sidecar.apiToken } : {}),
    // The SDK logs in plain text on the console; the services log JSON. Failures are ours to say.
    logger: { level: LogLevel.Error },
  });
  return { client, close: () => client.stop() };
}

/**
 * `env` with the secrets its SECRET_REF_* variables name, read through the sidecar; `env` itself
 * when it names no SECRET_STORE. Throws (and the service fails to start) with a message naming
 * what is missing.
 */
export async function envWithDaprSecrets(
  env: NodeJS.ProcessEnv,
  connect: (sidecar: SecretStoreSettings['sidecar']) => Promise<ConnectedClient> = connectSdk,
  options?: ReadOptions,
): Promise<NodeJS.ProcessEnv> {
  const settings = secretStoreSettings(env);
  if (!settings) return env;
  const { client, close } = await connect(settings.sidecar);
  try {
    return { ...env, ...(await readSecrets(settings, client, options)) };
  } finally {
    await close();
  }
}

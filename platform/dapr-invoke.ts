// Dapr service invocation, as every Tickler app calls another: a GET through the caller's own
// sidecar, bounded in time. A call that never got an answer (no sidecar, or none in time)
// throws NoAnswer, so each caller can say in its own words that the other app is unavailable.

import { daprApiHeaders } from './dapr-tokens.js';

export class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}

export interface DaprInvoker {
  /** The caller's sidecar, e.g. http://127.0.0.1:3500. */
  daprHttpUrl: string;
  /** The called app's Dapr app id. */
  appId: string;
  timeoutMs: number;
  /** The sidecar's DAPR_API_TOKEN, sent as `dapr-api-token` when set. */
  apiToken?: string | undefined;
  fetch?: typeof fetch;
}

/** GET `method` (path and query, no leading slash) on the app, through the sidecar. */
export async function invokeGet(
  dapr: DaprInvoker,
  method: string,
  init: { signal?: AbortSignal | undefined; headers?: Record<string, string> } = {},
): Promise<Response> {
  const timeout = AbortSignal.timeout(dapr.timeoutMs);
  try {
    return await (dapr.fetch ?? fetch)(
      `${dapr.daprHttpUrl}/v1.0/invoke/${dapr.appId}/method/${method}`,
      {
        headers: { ...init.headers, ...daprApiHeaders(dapr.apiToken) },
        signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
      },
    );
  } catch (err) {
    throw new NoAnswer(
      timeout.aborted
        ? 'no answer in time'
        : `sidecar not reachable (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

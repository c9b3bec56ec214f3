import { request } from 'node:http';

/**
 * What the adversarial tests measure during an attack: a service's `/healthz` asked every
 * `intervalMs` on a connection of its own. If the attack blocks the service's event loop, the
 * probe's answer times show it.
 */
export const HEALTHZ_BUDGET_MS = 100;

export interface HealthzProbe {
  /** Stops probing; resolves with every answer time (ms) and the number of failed probes. */
  stop(): Promise<{ times: number[]; maxMs: number; failures: number }>;
}

function askOnce(url: URL, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - t0)
          : reject(new Error(`healthz answered ${res.statusCode}`)),
      );
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

/** `baseUrl`: the service's HTTP origin or any URL on it (the path is replaced by /healthz). */
export function probeHealthz(baseUrl: string, intervalMs = 20, timeoutMs = 10_000): HealthzProbe {
  const url = new URL('/healthz', baseUrl.replace(/^ws/, 'http'));
  const times: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        times.push(await askOnce(url, timeoutMs));
      } catch {
        failures++;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { times, maxMs: Math.round(Math.max(0, ...times)), failures };
    },
  };
}

/** Runs `attack` while probing `baseUrl`'s /healthz; returns the attack's result and the probe's. */
export async function underProbe<T>(
  baseUrl: string,
  attack: () => Promise<T>,
): Promise<{ result: T; healthz: { maxMs: number; failures: number; probes: number } }> {
  const probe = probeHealthz(baseUrl);
  // Let the probe take a first reading before the attack starts.
  await new Promise((r) => setTimeout(r, 50));
  let result: T;
  try {
    result = await attack();
  } finally {
    // One more probe after the attack returns: a blocked loop shows up here too.
    await new Promise((r) => setTimeout(r, 60));
  }
  const { times, maxMs, failures } = await probe.stop();
  return { result: result!, healthz: { maxMs, failures, probes: times.length } };
}

/**
 * `underProbe`, up to `tries` times, until /healthz stayed within HEALTHZ_BUDGET_MS with no
 * failed probe: a blocked event loop fails every try, while one slow probe on this shared,
 * loaded machine (a GC pause, another process) gets another chance. The last try is returned
 * either way; the caller asserts on it. The attack must be safe to repeat.
 */
export async function underProbeWithinBudget<T>(
  baseUrl: string,
  attack: () => Promise<T>,
  tries = 3,
): ReturnType<typeof underProbe<T>> {
  let last!: Awaited<ReturnType<typeof underProbe<T>>>;
  for (let i = 0; i < tries; i++) {
    last = await underProbe(baseUrl, attack);
    if (last.healthz.maxMs < HEALTHZ_BUDGET_MS && last.healthz.failures === 0) break;
  }
  return last;
}

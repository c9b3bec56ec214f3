import type { Sql } from '../db/sql.js';

// What one application's PostgreSQL sessions are doing, sampled: the share of samples a session
// spent running, idle in a transaction (waiting for its client), waiting for a lock (and which
// kind), or for the WAL to reach the disk. It tells which of those bounds a write path.

export interface WaitSampler {
  /** Stops sampling; "what: n%" over every session-sample, most frequent first. */
  stop(): Promise<string>;
}

export function sampleWaits(sql: Sql, applicationName: string, everyMs = 20): WaitSampler {
  const counts = new Map<string, number>();
  let total = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql<{ what: string }[]>`
        SELECT CASE
                 WHEN state = 'idle' THEN 'idle'
                 WHEN state LIKE 'idle in transaction%' THEN 'idle in transaction'
                 WHEN wait_event IS NULL THEN 'running'
                 ELSE wait_event_type || ':' || wait_event
               END AS what
        FROM pg_stat_activity
        WHERE application_name = ${applicationName}`;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + 1);
      total += rows.length;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([what, n]) => `${what} ${((100 * n) / Math.max(1, total)).toFixed(0)}%`)
        .join(', ');
    },
  };
}

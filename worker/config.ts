import { z } from 'zod';
import { DurationMs } from '../domain/time/duration.js';
import { Port, Url } from '../platform/config.js';
import { WebhookPolicyConfig } from '../platform/webhook-destination.js';
import { DaprApiTokenConfig } from '../platform/dapr-tokens.js';
import { TemporalConnectionConfig } from '../platform/temporal-connection.js';
import { WORKER_TASK_QUEUE } from '../workflows/task-queue.js';

export const WorkerConfig = WebhookPolicyConfig.extend({
  DATABASE_URL: Url,
  ...TemporalConnectionConfig.shape,
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: Port.default(3500),
  ...DaprApiTokenConfig.shape,
  HEALTH_PORT: Port.default(4003),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.string().default('info'),
  /** A reminder this late (after an outage) is recorded as missed instead of sent. */
  REMINDER_GRACE: DurationMs.default(3_600_000),
  /** A reminder this late is marked late. */
  REMINDER_LATE_AFTER: DurationMs.default(60_000),
  /** Workers of one deployment share a task queue; a separate one isolates (e.g. a test). */
  TASK_QUEUE: z.string().min(1).default(WORKER_TASK_QUEUE),
  /**
   * How many workflows the worker keeps in memory between their tasks. A sleeping reminder
   * evicted from the cache costs nothing until its timer fires; then its short history is
   * replayed. This bounds the worker's memory however many reminders are open.
   */
  WORKFLOW_CACHE_SIZE: z.coerce.number().int().min(0).default(200),
  /**
   * Workflow-task slots (tasks in progress at once) and pollers. A new workflow's first task
   * comes from the task queue's normal partition, a cached workflow's later tasks from this
   * worker's sticky queue; NON_STICKY_POLL_RATIO of the pollers serve the former. Defaults are
   * the SDK's (40, 10, 0.2); measured for arming in docs/benchmarks.md.
   */
  WORKFLOW_TASK_SLOTS: z.coerce.number().int().min(2).max(1000).default(40),
  WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).max(200).default(10),
  NON_STICKY_POLL_RATIO: z.coerce.number().min(0.01).max(1).default(0.2),
  /** Threads running workflow code, each with its own V8 context and copy of the bundle. */
  WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * A prebuilt workflow bundle (`npm run build:workflows -- <file>`); unset, the worker bundles
   * the workflow code itself at start, which costs it about 150 MB for good.
   */
  WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * Whether this process also drains the outbox. Relays share the work safely (row locks), so
   * any number may run; `false` scales Temporal workers without more relays.
   */
  RELAY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * The signal relay's shape: rows claimed per batch, batches out at once (each holds one of the
   * worker's database connections while out) and rows of a batch signalled at once. Measured in
   * README § Benchmarks (arming); the publish relay sends a batch as one bulk call instead.
   */
  RELAY_SIGNAL_BATCH: z.coerce.number().int().min(1).max(1000).default(64),
  RELAY_SIGNAL_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(8).default(4),
  RELAY_SIGNAL_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

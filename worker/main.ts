import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import Fastify from 'fastify';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import { createScheduleDigest } from './schedule-digest.js';
import { createSql } from '../db/sql.js';
import { readConfig } from '../platform/config.js';
import { envWithDaprSecrets } from '../platform/dapr-secrets.js';
import { daprSidecarCheck, registerHealth } from '../platform/health.js';
import { registerMetrics } from '../platform/metrics.js';
import { outboxStats } from '../db/outbox.js';
import { registerOutboxMetrics } from './outbox-metrics.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { createDaprPublisher } from '../platform/publisher.js';
import { WorkerConfig } from './config.js';
import { temporalConnectionOptions } from '../platform/temporal-connection.js';
import { createWebhookDestinations, webhookPolicyOf } from '../platform/webhook-destination.js';
import { createEventDelivery } from './deliver-event.js';
import { createRelay } from './relay.js';
import { temporalLogger } from './temporal-logger.js';

// The worker process: the Temporal worker (workflows + activities) and the outbox relay.
async function main(): Promise<void> {
  const config = readConfig(WorkerConfig, await envWithDaprSecrets(process.env));
  const log = createLogger('worker', config.LOG_LEVEL);
  const life = createLifecycle(log);
  Runtime.install({ logger: temporalLogger(log.child({ component: 'temporal' })) });

  const sql = life.add(
    'postgres',
    createSql(config.DATABASE_URL, { applicationName: 'tickler-worker' }),
    (s) => s.end({ timeout: 5 }),
  );
  const temporalConnection = temporalConnectionOptions(config);
  // A worker may start before its Temporal server (or during an outage): wait for it.
  const clientConnection = life.add(
    'temporal client',
    await untilConnected(log, 'temporal', () => Connection.connect(temporalConnection)),
    (c) => c.close(),
  );
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
  });

  const workerConnection = life.add(
    'temporal worker connection',
    await untilConnected(log, 'temporal', () => NativeConnection.connect(temporalConnection)),
    (c) => c.close(),
  );
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    maxCachedWorkflows: config.WORKFLOW_CACHE_SIZE,
    maxConcurrentWorkflowTaskExecutions: config.WORKFLOW_TASK_SLOTS,
    // Pollers above the slots would wait for a slot anyway (the SDK refuses them).
    maxConcurrentWorkflowTaskPolls: Math.min(
      config.WORKFLOW_TASK_POLLERS,
      config.WORKFLOW_TASK_SLOTS,
    ),
    nonStickyToStickyPollRatio: config.NON_STICKY_POLL_RATIO,
    workflowThreadPoolSize: config.WORKFLOW_THREADS,
    ...(config.WORKFLOW_BUNDLE
      ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE } }
      : { workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)) }),
    activities: createActivities({
      sql,
      log: log.child({ component: 'activities' }),
      graceMs: config.REMINDER_GRACE,
      lateAfterMs: config.REMINDER_LATE_AFTER,
      scheduleDigest: createScheduleDigest(temporal, config.TASK_QUEUE),
      webhooks: createWebhookDestinations({ policy: webhookPolicyOf(config) }),
    }),
  });
  const running = worker.run();
  life.add('temporal worker', worker, async (w) => {
    if (w.getState() === 'RUNNING') w.shutdown();
    await running;
  });

  if (config.RELAY) {
    const deliveries = createEventDelivery({
      temporal,
      publisher: createDaprPublisher({
        daprHttpUrl: `http://${config.DAPR_HOST}:${config.DAPR_HTTP_PORT}`,
        apiToken: config.DAPR_API_TOKEN,
      }),
      taskQueue: config.TASK_QUEUE,
      signalConcurrency: config.RELAY_SIGNAL_CONCURRENCY,
    });
    const shape = {
      signal: {
        batchSize: config.RELAY_SIGNAL_BATCH,
        batchesInFlight: config.RELAY_SIGNAL_BATCHES_IN_FLIGHT,
      },
      publish: {},
    };
    // One relay per destination: a Dapr or Kafka outage never delays a reminder's signal.
    for (const destination of ['signal', 'publish'] as const) {
      const relay = createRelay({
        sql,
        deliver: deliveries[destination],
        destination,
        log: log.child({ component: `relay-${destination}` }),
        ...shape[destination],
      });
      await relay.start();
      life.add(`outbox relay (${destination})`, relay, (r) => r.stop());
    }
  }

  const health = Fastify({ logger: false });
  registerOutboxMetrics(registerMetrics(health, 'worker'), () => outboxStats(sql));
  registerHealth(health, {
    postgres: () => sql`SELECT 1`,
    temporal: () => temporal.workflowService.getSystemInfo({}),
    worker: async () => {
      if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
    },
    ...(config.RELAY
      ? { dapr: daprSidecarCheck(config.DAPR_HOST, config.DAPR_HTTP_PORT, config.DAPR_API_TOKEN) }
      : {}),
  });
  await health.listen({ host: config.HOST, port: config.HEALTH_PORT });
  life.add('health server', health, (h) => h.close());
  log.info(
    { healthPort: config.HEALTH_PORT, taskQueue: config.TASK_QUEUE, relay: config.RELAY },
    'worker ready',
  );

  // A worker that stops on its own (fatal error) takes the process down, so a supervisor restarts it.
  await running.catch(async (err) => {
    log.error({ err }, 'temporal worker failed');
    await life.shutdown('worker failed');
    process.exit(1);
  });
}

/** Retries a connection every few seconds until it succeeds, saying so in the log. */
async function untilConnected<T>(log: Logger, what: string, connect: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (err) {
      log.warn({ err: String(err), attempt }, `${what} not reachable yet; retrying`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
    }
  }
}

main().catch(fatal);

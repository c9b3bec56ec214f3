import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import Fastify from 'fastify';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import { createSql } from '../db/sql.js';
import { readConfig } from '../platform/config.js';
import { daprSidecarCheck, registerHealth } from '../platform/health.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger } from '../platform/logger.js';
import { createDaprClient, createDaprPublisher } from '../platform/publisher.js';
import { WorkerConfig } from './config.js';
import { createEventDelivery } from './deliver-event.js';
import { createRelay } from './relay.js';
import { temporalLogger } from './temporal-logger.js';

// The worker process: the Temporal worker (workflows + activities) and the outbox relay.
async function main(): Promise<void> {
  const config = readConfig(WorkerConfig, process.env);
  const log = createLogger('worker', config.LOG_LEVEL);
  const life = createLifecycle(log);
  Runtime.install({ logger: temporalLogger(log.child({ component: 'temporal' })) });

  const sql = life.add(
    'postgres',
    createSql(config.DATABASE_URL, { applicationName: 'tickler-worker' }),
    (s) => s.end({ timeout: 5 }),
  );
  const dapr = createDaprClient(config.DAPR_HOST, config.DAPR_HTTP_PORT);
  const clientConnection = life.add(
    'temporal client',
    await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
    (c) => c.close(),
  );
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
  });

  const workerConnection = life.add(
    'temporal worker connection',
    await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
    (c) => c.close(),
  );
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: createActivities({ sql, log: log.child({ component: 'activities' }) }),
  });
  const running = worker.run();
  life.add('temporal worker', worker, async (w) => {
    if (w.getState() === 'RUNNING') w.shutdown();
    await running;
  });

  if (config.RELAY) {
    const relay = createRelay({
      sql,
      deliver: createEventDelivery({
        temporal,
        publisher: createDaprPublisher(dapr),
        taskQueue: config.TASK_QUEUE,
      }),
      log: log.child({ component: 'relay' }),
    });
    await relay.start();
    life.add('outbox relay', relay, (r) => r.stop());
  }

  const health = Fastify({ logger: false });
  registerHealth(health, {
    postgres: () => sql`SELECT 1`,
    temporal: () => temporal.workflowService.getSystemInfo({}),
    worker: async () => {
      if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
    },
    ...(config.RELAY ? { dapr: daprSidecarCheck(config.DAPR_HOST, config.DAPR_HTTP_PORT) } : {}),
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

main().catch(fatal);

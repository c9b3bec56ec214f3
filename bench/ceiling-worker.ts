import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { cliFatal } from '../platform/lifecycle.js';

// bench:ceiling's worker process, configured as Tickler's worker is (worker/main.ts and the
// stack's environment for it): a prebuilt workflow bundle, the same workflow cache, the SDK's
// default pollers and concurrency, the heap capped by NODE_OPTIONS. It runs only
// bench/ceiling-workflow.ts. Environment (set by bench/ceiling.ts):
//   TEMPORAL_ADDRESS, TASK_QUEUE, WORKFLOW_BUNDLE, WORKFLOW_CACHE_SIZE

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const env = {
    address: required('TEMPORAL_ADDRESS'),
    taskQueue: required('TASK_QUEUE'),
    bundle: required('WORKFLOW_BUNDLE'),
    cacheSize: Number(required('WORKFLOW_CACHE_SIZE')),
  };
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: env.address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: env.taskQueue,
    maxCachedWorkflows: env.cacheSize,
    workflowBundle: { codePath: env.bundle },
  });
  // SIGINT/SIGTERM: the SDK's Runtime shuts the worker down; run() then resolves.
  await worker.run();
  await connection.close();
}

main().catch(cliFatal);

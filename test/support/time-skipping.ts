import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { testEnv } from './env.js';

/**
 * Our workflows on the time-skipping test server, with the given (fake) activities: hours pass
 * in milliseconds. One per test file (each file runs in its own process).
 */
export async function startTimeSkipping(activities: object, name: string) {
  // One runtime per test process: keep the SDK's and core's info lines out of the test report.
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
  });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testEnv.testServer } },
  });
  // The workflows upsert custom search attributes; like the dev server, the test server refuses
  // (and the workflow task fails, again and again) unless they are registered first.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: await searchAttributes(),
  });
  const taskQueue = `${name}-${Date.now().toString(36)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    activities,
  });
  const running = worker.run();
  return {
    env,
    taskQueue,
    async stop(): Promise<void> {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** The attributes the stack registers on its dev server (temporal/search-attributes.json). */
async function searchAttributes(): Promise<Record<string, number>> {
  const file = new URL('../../temporal/search-attributes.json', import.meta.url);
  const declared = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(declared).map(([name, type]) => {
      const encoded = encodeSearchAttributeIndexedValueType(type.toUpperCase() as 'KEYWORD');
      if (encoded === undefined)
        throw new Error(`search attribute ${name} has unknown type ${type}`);
      return [name, encoded];
    }),
  );
}

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { encodedSearchAttributes } from '../../platform/search-attributes.js';
import { startPostgres, startTemporal, type ComponentContext } from '../../stack/components.js';
import { stackPaths, toolsDir } from '../../stack/paths.js';
import { testPorts } from '../../stack/ports.js';
import { createProcessGroup } from '../../stack/processes.js';
import { temporalServerProvisioned } from '../../stack/temporal-server.js';
import { waitFor } from '../../stack/wait.js';

// The benchmarks' `--temporal postgres` (stack/temporal-server.ts): the Temporal server on a
// PostgreSQL cluster of the stack's kind, started as the stack starts it, in its own throwaway
// state (a few seconds; the whole stack on it is what the benchmarks run). Its build is opt-in
// (stack/provision/temporal-server.sh, minutes cold, not in stack/provision.sh), so where it was
// never built this test is skipped and says how to build it.

const NOT_BUILT =
  !temporalServerProvisioned(toolsDir()) &&
  'the Temporal server is not built (opt-in): bash stack/provision/temporal-server.sh';

let ctx: ComponentContext;
let state: string;
let failure: string | undefined;

before(async () => {
  if (NOT_BUILT) return;
  state = mkdtempSync(join(tmpdir(), 'tickler-temporal-pg-'));
  chmodSync(state, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const paths = stackPaths(state);
  mkdirSync(paths.logs, { recursive: true });
  const group = createProcessGroup(paths.logs, (m, how) => (failure ??= `${m.name} ${how}`));
  ctx = {
    paths,
    ports: await testPorts(),
    group,
    ephemeral: true,
    temporal: 'postgres',
    log: () => {},
    failure: () => failure,
  };
  await startPostgres(ctx);
});

after(async () => {
  if (NOT_BUILT) return;
  await ctx.group.stopAll();
  rmSync(state, { recursive: true, force: true });
});

const withClient = async <T>(fn: (c: Client, conn: Connection) => Promise<T>): Promise<T> => {
  const connection = await Connection.connect({ address: `127.0.0.1:${ctx.ports.temporal}` });
  try {
    return await fn(new Client({ connection, namespace: 'default' }), connection);
  } finally {
    await connection.close();
  }
};

test(
  'the Temporal server on PostgreSQL serves the default namespace with Tickler’s search attributes, and keeps its workflows across a restart',
  { skip: NOT_BUILT, timeout: 60_000 },
  async () => {
    await startTemporal(ctx);
    const workflowId = `temporal-pg-${Date.now()}`;
    await withClient(async (client, connection) => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      for (const [name, type] of Object.entries(encodedSearchAttributes()))
        assert.equal(customAttributes?.[name], type, `search attribute ${name}`);
      // No worker: the workflow stays open, which is all visibility needs to show it.
      await client.workflow.start('noWorkerRunsThis', {
        workflowId,
        taskQueue: 'temporal-pg-test',
        searchAttributes: { UserId: ['temporal-pg-user'] },
      });
      await waitFor(
        'the workflow in a visibility query on a custom search attribute',
        async () => {
          for await (const w of client.workflow.list({ query: `UserId = 'temporal-pg-user'` }))
            if (w.workflowId === workflowId) return true;
          return false;
        },
        { timeoutMs: 15_000 },
      );
    });

    // Started again on the same databases: the schemas are kept (setup runs on an empty
    // database only), the namespace and attributes are found, the workflow is still there.
    const server = ctx.group.find('temporal');
    assert.ok(server);
    await ctx.group.stop(server);
    await startTemporal(ctx);
    await withClient(async (client) => {
      const described = await client.workflow.getHandle(workflowId).describe();
      assert.equal(described.status.name, 'RUNNING');
      assert.deepEqual(described.searchAttributes.UserId, ['temporal-pg-user']);
      await client.workflow.getHandle(workflowId).terminate('test over');
    });
    assert.equal(failure, undefined);
  },
);

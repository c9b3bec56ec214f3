import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/server';
import type { TaskStatus } from '../../domain/task.js';
import { deleteTasks } from '../tasks/delete-task.js';
import { setStatus } from '../tasks/set-status.js';
import { batchCall } from './batch.js';
import type { ToolContext } from './context.js';
import { idArg, BatchOutput, MAX_TOOL_BATCH } from './results.js';

const ids = z
  .array(idArg('A task id, from find_tasks or add_tasks'))
  .min(1)
  .max(MAX_TOOL_BATCH)
  .describe(`1 to ${MAX_TOOL_BATCH} task ids; each succeeds or fails on its own`);

// Completing and reopening undo each other and the audit log keeps both: not destructive.
// Deleting cannot be undone through any tool: destructive. All three are idempotent: the same
// call again changes nothing more (a deleted task then answers NOT_FOUND, and stays deleted).
const annotations = (destructiveHint: boolean) => ({
  readOnlyHint: false,
  destructiveHint,
  idempotentHint: true,
  openWorldHint: false,
});

export function registerTaskStatusTools(server: McpServer, ctx: ToolContext): void {
  const statusTool = (name: string, title: string, status: TaskStatus, description: string) =>
    server.registerTool(
      name,
      {
        title,
        description,
        inputSchema: { ids },
        outputSchema: BatchOutput,
        annotations: annotations(false),
      },
      ({ ids }) =>
        batchCall(
          ctx,
          ids,
          (id) => id,
          async (id) => ({
            task: (await setStatus(ctx.command, [id], status))[0]!,
          }),
        ),
    );

  statusTool(
    'complete_tasks',
    'Complete tasks',
    'COMPLETED',
    'Marks 1 to 25 tasks done (ids from find_tasks). Completing a done task changes nothing. ' +
      'Completing an occurrence of a series keeps the series going.',
  );
  statusTool(
    'reopen_tasks',
    'Reopen tasks',
    'OPEN',
    'Marks 1 to 25 completed tasks open again (ids from find_tasks with status COMPLETED or ANY).',
  );

  server.registerTool(
    'delete_tasks',
    {
      title: 'Delete tasks',
      description:
        'Deletes 1 to 25 tasks for good (ids from find_tasks); ask the user first when unsure. ' +
        'Deleting an occurrence of a series skips that occurrence; the series goes on.',
      inputSchema: { ids },
      outputSchema: BatchOutput,
      annotations: annotations(true),
    },
    ({ ids }) =>
      batchCall(
        ctx,
        ids,
        (id) => id,
        async (id) => ({
          id: (await deleteTasks(ctx.command, [id]))[0]!,
        }),
      ),
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FieldProblem } from '../../domain/errors.js';
import { toolFailure, type ToolError } from './results.js';
import type { ToolContext } from './context.js';

// The SDK answers some tool calls itself, before a tool runs: arguments that fail the input
// schema, an unknown tool name. It gives those a bare text ("Input validation error: …"), no
// code (McpError prefixes it with "MCP error -32602: "). A model should meet one error shape whatever refused its call, so those texts are turned
// into the catalog's error here.

const INPUT_ERROR =
  /^(?:MCP error -?\d+: )?Input validation error: Invalid arguments for tool [\w-]+: ([\s\S]*)$/;
const UNKNOWN_TOOL = /^(?:MCP error -?\d+: )?Tool ([\w-]+) (not found|disabled)$/;

/** What a message the SDK wrote for a refused call means, as a catalog error. */
export function sdkToolError(message: string, ctx: ToolContext): ToolError {
  const input = INPUT_ERROR.exec(message);
  if (input) {
    // One line per zod issue: "<message> at <dot.path>", or the bare message at the top.
    const problems: FieldProblem[] = input[1]!.split('\n').map((line) => {
      const at = /^([\s\S]*) at ([\w.[\]-]+)$/.exec(line);
      // tasks[1].title → tasks.1.title, as the tools' own errors name items.
      return at
        ? { path: at[2]!.replace(/\[(\d+)\]/g, '.$1'), message: at[1]! }
        : { path: '', message: line };
    });
    return {
      code: 'BAD_USER_INPUT',
      message: problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
      problems,
    };
  }
  const unknown = UNKNOWN_TOOL.exec(message);
  if (unknown) return { code: 'NOT_FOUND', message: `no tool named ${unknown[1]}: see tools/list` };
  // Anything else (an output that failed its own schema) is our fault: logged, not echoed.
  ctx.log.error({ requestId: ctx.requestId, message }, 'MCP SDK refused a tool call');
  return { code: 'INTERNAL', message: `unexpected error (request ${ctx.requestId})` };
}

/**
 * Makes `server` answer the calls the SDK refuses with the catalog's error shape. The SDK builds
 * those answers in McpServer.createToolError (private in its types, a plain method at run time);
 * this instance's copy is replaced. test/mcp/task-tools.test.ts fails if an SDK upgrade stops
 * calling it.
 */
export function catalogErrorsFromSdk(server: McpServer, ctx: ToolContext): void {
  (server as unknown as { createToolError: (message: string) => CallToolResult }).createToolError =
    (message) => toolFailure(sdkToolError(message, ctx));
}

import type { McpServer, CallToolResult } from '@modelcontextprotocol/server';
import { ErrorCode, type FieldProblem } from '../../domain/errors.js';
import { toolFailure, type ToolError } from './results.js';
import type { ToolContext } from './context.js';

// The SDK refuses a call whose arguments fail the tool's input schema before the tool runs, and
// answers it with a bare text ("Input validation error: … tasks.1.title: Invalid input: expected
// string, received number"), no code. A model should meet one error shape whatever refused its
// call, so that text is turned into the catalog's error here. (An unknown tool name stays the
// JSON-RPC error -32602 the SDK sends: that is the protocol's answer, not a tool result.)

const INPUT_ERROR =
  /^(?:MCP error -?\d+: )?Input validation error: Invalid arguments for tool [\w-]+: ([\s\S]*)$/;

/** What a message the SDK wrote for a refused call means, as a catalog error. */
export function sdkToolError(message: string, ctx: ToolContext): ToolError {
  const input = INPUT_ERROR.exec(message);
  if (input) {
    // "<dot.path>: <message>" per issue, joined with ", ".
    const problems: FieldProblem[] = input[1]!.split(/, (?=[\w.-]+: )/).map((issue) => {
      const at = /^([\w.-]+): ([\s\S]*)$/.exec(issue);
      return at ? { path: at[1]!, message: at[2]! } : { path: '', message: issue };
    });
    return {
      code: ErrorCode.BAD_USER_INPUT,
      message: problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '),
      problems,
    };
  }
  // Anything else (an output that failed its own schema) is our fault: logged, not echoed.
  ctx.log.error({ requestId: ctx.requestId, message }, 'MCP SDK refused a tool call');
  return { code: ErrorCode.INTERNAL, message: `unexpected error (request ${ctx.requestId})` };
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

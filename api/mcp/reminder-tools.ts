import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from './context.js';

// Placeholder: the tools of this file come in their own change.
export function registerReminderTools(server: McpServer, ctx: ToolContext): void {
  void server;
  void ctx;
}

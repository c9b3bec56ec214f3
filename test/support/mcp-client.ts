import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { testEnv } from './env.js';
import { tokenFor } from './graphql.js';

// The SDK's own client over HTTP, as a chat would drive the MCP server, and the transcript of
// what a test file called: each test file prints the conversation it drove.

export const mcpUrl = (apiUrl = testEnv.apiUrl): string => apiUrl.replace(/\/graphql$/, '/mcp');

/** A client of `userId` (a token minted for them) on the stack's api, or on `url`. */
export async function connect(userId: string, url = mcpUrl()): Promise<Client> {
  const token = await tokenFor(userId);
  const client = new Client({ name: 'tickler-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

export interface ToolError {
  code: string;
  message: string;
  problems?: { path: string; message: string }[];
  retryAfterSeconds?: number;
}

const clip = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
};

/** Every call a test file made and what came back; `print()` in its `after`. */
export class Transcript {
  private readonly lines: string[] = [];
  constructor(private readonly title: string) {}

  say(line: string): void {
    this.lines.push(`user: ${line}`);
  }

  record(name: string, args: unknown, result: unknown): void {
    this.lines.push(`→ ${name} ${clip(args)}`, `← ${clip(result)}`);
  }

  print(): void {
    console.log(`${this.title}:\n${this.lines.join('\n')}`);
  }

  /** Calls a tool that must not fail as a whole; checks text and structuredContent agree. */
  async call<T>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
    const result = await client.callTool({ name, arguments: args });
    this.record(name, args, result.structuredContent ?? result);
    assert.notEqual(result.isError, true, `${name}: ${JSON.stringify(result)}`);
    const content = result.content as { type: string; text: string }[];
    assert.deepEqual(JSON.parse(content[0]!.text), result.structuredContent);
    return result.structuredContent as T;
  }

  /** Calls a tool that must fail as a whole (`isError`); returns the catalog error it gave. */
  async fail(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolError> {
    const result = await client.callTool({ name, arguments: args });
    this.record(name, args, result);
    assert.equal(result.isError, true, `${name} should fail: ${JSON.stringify(result)}`);
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    return (JSON.parse(text) as { error: ToolError }).error;
  }
}

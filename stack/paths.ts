import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackPaths } from './components.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/**
 * Where stack/provision.sh puts the built tools: TICKLER_TOOLS, else a per-user cache outside the
 * working tree (the same default as stack/provision/lib.sh), so every checkout on the machine
 * shares one build of each pinned version.
 */
export function toolsDir(): string {
  const env = process.env;
  if (env.TICKLER_TOOLS) return env.TICKLER_TOOLS;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'tickler');
}

/** The stack's PostgreSQL cluster; its Unix socket sits here too (the owner's way in). */
export const postgresDataDir = (state: string): string => join(state, 'postgres');

export function stackPaths(state: string): StackPaths {
  return {
    root: ROOT,
    tools: toolsDir(),
    state,
    logs: join(state, 'logs'),
  };
}

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackPaths } from './components.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export function stackPaths(state: string): StackPaths {
  return {
    root: ROOT,
    tools: process.env.TICKLER_TOOLS ?? join(ROOT, '.tools'),
    state,
    logs: join(state, 'logs'),
  };
}

import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './paths.js';

// Which test files run where. test/unit/ is the fast tier: tests that need no stack, no tool from
// provisioning and no child process (test/unit/fast-tier.test.ts checks it both ways), run by
// `npm run test:unit` in one process; every other test file runs against the stack that
// stack/test.ts starts. `npm test` runs the two sets once each.

export const UNIT_DIR = 'test/unit';

/** Every *.test.ts under `dir` (relative to the repository), as paths relative to it, sorted. */
export function testFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

export const unitTestFiles = (): string[] => testFilesUnder(UNIT_DIR);

/** The test files that need the stack: all but the fast tier's. */
export const stackTestFiles = (): string[] =>
  testFilesUnder('test').filter((f) => !f.startsWith(`${UNIT_DIR}/`));

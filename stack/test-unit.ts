import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './paths.js';
import { unitTestFiles } from './test-files.js';

// `npm run test:unit`: the fast tier (test/unit/, see stack/test-files.ts), or the files named,
// in this one process. node's `--test` would start a process per file, and loading tsx, zod,
// graphql and Temporal's SDK again for each of ~30 small files costs several times the tests'
// own time; Node 20 has no option to run them in one process. Loaded here, node:test runs each
// file's tests as it is imported and sets the exit code when one fails. What sharing a process
// asks of these files (no root-level hooks) is checked by test/unit/fast-tier.test.ts.
// Run with `node --test-reporter=spec` (package.json) for the same report as `npm test`.

const files = process.argv.slice(2).length ? process.argv.slice(2) : unitTestFiles();

process.once('exit', (code) => {
  const seconds = (performance.now() / 1000).toFixed(1);
  console.log(
    `test:unit: ${files.length} files in ${seconds} s wall (${code === 0 ? 'passed' : 'FAILED'})`,
  );
});

for (const file of files) {
  await import(pathToFileURL(isAbsolute(file) ? file : join(ROOT, file)).href);
}

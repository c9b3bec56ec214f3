import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cliFatal } from '../platform/lifecycle.js';

// Bundles the workflow code (webpack) into one file for the worker's WORKFLOW_BUNDLE:
//   npm run build:workflows -- <out.js>
// A worker given a prebuilt bundle never runs webpack itself, which keeps about 150 MB out of
// its resident memory for its whole life and makes it ready sooner after a restart. The stack
// runs this before it starts the worker; a deployment runs it when it builds its image.

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundle-workflows <out.js>');
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(out, code);
}

main().catch(cliFatal);

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The local stack's sidecar Configuration: dapr/config.yaml (shared with Kubernetes, where the
// kubernetes name resolver is the default) plus a SQLite name resolver whose file lives in this
// stack's state folder. Dapr's standalone default, mDNS, answers across every stack on the
// machine (a dev, a test and a benchmark stack would serve each other's `audit-service`) and may
// advertise a non-loopback address; a file per stack keeps service invocation inside the stack.

/** The SQLite file the stack's sidecars register in and resolve app ids from. */
export const nameResolutionDb = (state: string): string => join(state, 'dapr-names.db');

/** The Configuration text: the shared file with `spec.nameResolution` added. */
export function localDaprConfig(sharedConfig: string, namesDb: string): string {
  const lines = sharedConfig.split('\n');
  const spec = lines.findIndex((l) => /^spec:\s*$/.test(l));
  if (spec < 0) throw new Error('dapr/config.yaml has no top-level "spec:" line');
  if (/^\s+nameResolution:/m.test(sharedConfig))
    throw new Error('dapr/config.yaml sets nameResolution; the local stack sets its own');
  const nameResolution = [
    '  # Added by the local stack (stack/dapr-config.ts): app ids resolve within this stack only.',
    '  nameResolution:',
    '    component: sqlite',
    '    version: v1',
    '    configuration:',
    // JSON strings are valid YAML double-quoted strings, whatever the path holds.
    `      connectionString: ${JSON.stringify(namesDb)}`,
  ];
  lines.splice(spec + 1, 0, ...nameResolution);
  return lines.join('\n');
}

/** Writes the stack's Configuration into its state folder; every sidecar gets it with --config. */
export function writeLocalDaprConfig(root: string, state: string): string {
  const file = join(state, 'dapr-config.yaml');
  const shared = readFileSync(join(root, 'dapr/config.yaml'), 'utf8');
  writeFileSync(file, localDaprConfig(shared, nameResolutionDb(state)));
  return file;
}

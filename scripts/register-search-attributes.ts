import { Connection } from '@temporalio/client';
import { encodedSearchAttributes } from '../platform/search-attributes.js';
import { cliFatal } from '../platform/lifecycle.js';
import { readConfig } from '../platform/config.js';
import {
  TemporalConnectionConfig,
  temporalConnectionOptions,
} from '../platform/temporal-connection.js';

// Registers temporal/search-attributes.json in TEMPORAL_NAMESPACE, idempotently: attributes that
// exist with the same type are left alone, missing ones are added, and one that exists with
// another type stops the deployment (a query on it would mean something else). The Helm chart
// runs it as a hook Job before the worker rolls; Temporal Cloud registers them in its own
// console or tcld (its operator API refuses this call), so the chart can switch it off.
async function main(): Promise<void> {
  const config = readConfig(TemporalConnectionConfig, process.env);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  try {
    const wanted = encodedSearchAttributes();
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: config.TEMPORAL_NAMESPACE,
    });
    const existing = customAttributes ?? {};
    const clashes = Object.entries(wanted).filter(
      ([name, type]) => name in existing && existing[name] !== type,
    );
    if (clashes.length)
      throw new Error(
        `search attributes registered with another type: ${clashes.map(([n]) => n).join(', ')}`,
      );
    const missing = Object.fromEntries(Object.entries(wanted).filter(([n]) => !(n in existing)));
    if (Object.keys(missing).length)
      await connection.operatorService.addSearchAttributes({
        namespace: config.TEMPORAL_NAMESPACE,
        searchAttributes: missing,
      });
    console.log(
      `search attributes in ${config.TEMPORAL_NAMESPACE}: added ${Object.keys(missing).join(', ') || 'none'}; ` +
        `${Object.keys(wanted).length - Object.keys(missing).length} already there`,
    );
  } finally {
    await connection.close();
  }
}

main().catch(cliFatal);

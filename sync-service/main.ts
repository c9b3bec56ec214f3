import { verifierFromConfig } from '../platform/auth.js';
import { readConfig } from '../platform/config.js';
import { daprSidecarCheck } from '../platform/health.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger } from '../platform/logger.js';
import { buildSyncService } from './app.js';
import { SyncConfig } from './config.js';

async function main(): Promise<void> {
  const config = readConfig(SyncConfig, process.env);
  const log = createLogger('sync-service', config.LOG_LEVEL);
  const life = createLifecycle(log);
  const app = buildSyncService({
    verifier: verifierFromConfig(config),
    log,
    readiness: { dapr: daprSidecarCheck(config.DAPR_HOST, config.DAPR_HTTP_PORT) },
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  life.add('http server', app, (a) => a.close());
  log.info({ port: config.PORT }, 'sync-service ready');
}

main().catch(fatal);

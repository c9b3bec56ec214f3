import { verifierFromConfig } from '../platform/auth.js';
import { readConfig } from '../platform/config.js';
import { daprSidecarCheck } from '../platform/health.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger } from '../platform/logger.js';
import { buildSyncService } from './app.js';
import { SyncConfig } from './config.js';
import { defaultStreamLimits } from './ordered-events.js';
import { createAuditReplaySource } from './replay-source.js';

async function main(): Promise<void> {
  const config = readConfig(SyncConfig, process.env);
  const log = createLogger('sync-service', config.LOG_LEVEL);
  const life = createLifecycle(log);
  const app = buildSyncService({
    verifier: verifierFromConfig(config),
    log,
    replay: createAuditReplaySource({
      daprHttpUrl: `http://${config.DAPR_HOST}:${config.DAPR_HTTP_PORT}`,
      appId: config.AUDIT_APP_ID,
      timeoutMs: 5_000,
    }),
    limits: {
      ...defaultStreamLimits,
      maxBuffered: config.MAX_BUFFERED_EVENTS,
      gapWaitMs: config.GAP_WAIT_MS,
      gapGiveUpMs: config.GAP_GIVE_UP_MS,
    },
    keepAliveMs: config.KEEP_ALIVE_MS,
    readiness: { dapr: daprSidecarCheck(config.DAPR_HOST, config.DAPR_HTTP_PORT) },
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  life.add('http server', app, (a) => a.close());
  log.info({ port: config.PORT }, 'sync-service ready');
}

main().catch(fatal);

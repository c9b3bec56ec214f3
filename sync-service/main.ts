import { verifierFromConfig } from '../platform/auth.js';
import { readConfig } from '../platform/config.js';
import { envWithDaprSecrets } from '../platform/dapr-secrets.js';
import { daprSidecarCheck } from '../platform/health.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger } from '../platform/logger.js';
import { buildSyncService } from './app.js';
import { SyncConfig } from './config.js';
import { defaultStreamLimits } from './ordered-events.js';
import { createAuditReplaySource } from './replay-source.js';

async function main(): Promise<void> {
  const config = readConfig(SyncConfig, await envWithDaprSecrets(process.env));
  const log = createLogger('sync-service', config.LOG_LEVEL);
  const life = createLifecycle(log);
  const { app, internal } = buildSyncService({
    verifier: verifierFromConfig(config),
    log,
    replay: createAuditReplaySource({
      daprHttpUrl: `http://${config.DAPR_HOST}:${config.DAPR_HTTP_PORT}`,
      appId: config.AUDIT_APP_ID,
      apiToken: config.DAPR_API_TOKEN,
      timeoutMs: 5_000,
    }),
    limits: {
      ...defaultStreamLimits,
      maxBuffered: config.MAX_BUFFERED_EVENTS,
      gapWaitMs: config.GAP_WAIT_MS,
      gapGiveUpMs: config.GAP_GIVE_UP_MS,
    },
    sockets: {
      maxFrameBytes: config.WS_MAX_FRAME_BYTES,
      initTimeoutMs: config.WS_INIT_TIMEOUT_MS,
      maxSocketsPerUser: config.MAX_SOCKETS_PER_USER,
      maxSocketsPerAddress: config.MAX_SOCKETS_PER_ADDRESS,
      maxSubscriptionsPerSocket: config.MAX_SUBSCRIPTIONS_PER_SOCKET,
    },
    replayGate: {
      maxConcurrent: config.REPLAY_MAX_CONCURRENT,
      maxPerUser: config.REPLAY_MAX_PER_USER,
      maxWaiting: config.REPLAY_MAX_WAITING,
    },
    keepAliveMs: config.KEEP_ALIVE_MS,
    wsPath: config.WS_PATH,
    appApiToken: config.APP_API_TOKEN,
    readiness: {
      dapr: daprSidecarCheck(config.DAPR_HOST, config.DAPR_HTTP_PORT, config.DAPR_API_TOKEN),
    },
  });
  // The sidecar's listener first: once the public /readyz answers, deliveries are taken too.
  await internal.listen({ host: config.INTERNAL_HOST, port: config.INTERNAL_PORT });
  life.add('internal http server', internal, (a) => a.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  life.add('http server', app, (a) => a.close());
  log.info({ port: config.PORT, internalPort: config.INTERNAL_PORT }, 'sync-service ready');
}

main().catch(fatal);

import { createSql } from '../db/sql.js';
import { verifierFromConfig } from '../platform/auth.js';
import { readConfig } from '../platform/config.js';
import { envWithDaprSecrets } from '../platform/dapr-secrets.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger } from '../platform/logger.js';
import { buildApi } from './app.js';
import { ApiConfig } from './config.js';
import { createHistoryClient } from './history/history-client.js';
import { createRequestLimiter } from './limits/request-limiter.js';
import { createWebhookDestinations, webhookPolicyOf } from '../platform/webhook-destination.js';

async function main(): Promise<void> {
  const config = readConfig(ApiConfig, await envWithDaprSecrets(process.env));
  const log = createLogger('api', config.LOG_LEVEL);
  const life = createLifecycle(log);
  const sql = life.add(
    'postgres',
    createSql(config.DATABASE_URL, { applicationName: 'tickler-api' }),
    (s) => s.end({ timeout: 5 }),
  );
  const app = buildApi({
    sql,
    log,
    verifier: verifierFromConfig(config),
    history: createHistoryClient({
      daprHost: config.DAPR_HOST,
      daprHttpPort: config.DAPR_HTTP_PORT,
      daprApiToken: config.DAPR_API_TOKEN,
      appId: config.AUDIT_APP_ID,
      timeoutMs: config.AUDIT_TIMEOUT_MS,
    }),
    webhooks: createWebhookDestinations({ policy: webhookPolicyOf(config) }),
    requestLimiter: createRequestLimiter({
      ratePerSecond: config.RATE_LIMIT_PER_SECOND,
      burst: config.RATE_LIMIT_BURST,
    }),
    quotas: {
      openTasks: config.QUOTA_OPEN_TASKS,
      series: config.QUOTA_SERIES,
      remindersPerTask: config.QUOTA_REMINDERS_PER_TASK,
    },
    mcp: { publicUrl: config.PUBLIC_URL, authorizationServers: config.MCP_AUTHORIZATION_SERVERS },
    graphiql: config.GRAPHIQL
      ? { token: config.GRAPHIQL_TOKEN, syncUrl: config.SYNC_PUBLIC_URL }
      : false,
    // Readiness is PostgreSQL alone: mutations only write the outbox, so the api keeps
    // serving while Temporal, Dapr or Kafka are away.
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  life.add('http server', app, (a) => a.close());
  log.info({ port: config.PORT }, 'api ready');
}

main().catch(fatal);

import { createSql } from '../db/sql.js';
import { readConfig } from '../platform/config.js';
import { envWithDaprSecrets } from '../platform/dapr-secrets.js';
import { daprSidecarCheck } from '../platform/health.js';
import { createLifecycle, fatal } from '../platform/lifecycle.js';
import { createLogger } from '../platform/logger.js';
import { buildAuditService } from './app.js';
import { AuditConfig } from './config.js';

async function main(): Promise<void> {
  const config = readConfig(AuditConfig, await envWithDaprSecrets(process.env));
  const log = createLogger('audit-service', config.LOG_LEVEL);
  const life = createLifecycle(log);
  const sql = life.add(
    'postgres',
    createSql(config.DATABASE_URL, { applicationName: 'tickler-audit' }),
    (s) => s.end({ timeout: 5 }),
  );
  const app = buildAuditService({
    sql,
    log,
    appApiToken: config.APP_API_TOKEN,
    readiness: {
      dapr: daprSidecarCheck(config.DAPR_HOST, config.DAPR_HTTP_PORT, config.DAPR_API_TOKEN),
    },
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  life.add('http server', app, (a) => a.close());
  log.info({ port: config.PORT }, 'audit-service ready');
}

main().catch(fatal);

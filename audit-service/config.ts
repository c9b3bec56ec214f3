import { z } from 'zod';
import { Port, Url } from '../platform/config.js';
import { AppApiTokenConfig, DaprApiTokenConfig } from '../platform/dapr-tokens.js';

export const AuditConfig = AppApiTokenConfig.extend(DaprApiTokenConfig.shape).extend({
  DATABASE_URL: Url,
  /** Only its sidecar calls it (every route but health and metrics needs the app token). */
  HOST: z.string().default('127.0.0.1'),
  PORT: Port.default(4002),
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: Port.default(3503),
  LOG_LEVEL: z.string().default('info'),
});

import { z } from 'zod';
import { Port, Url } from '../platform/config.js';

export const AuditConfig = z.object({
  DATABASE_URL: Url,
  HOST: z.string().default('127.0.0.1'),
  PORT: Port.default(4002),
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: Port.default(3503),
  LOG_LEVEL: z.string().default('info'),
});

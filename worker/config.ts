import { z } from 'zod';
import { Port, Url } from '../platform/config.js';

export const WorkerConfig = z.object({
  DATABASE_URL: Url,
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: Port.default(3500),
  HEALTH_PORT: Port.default(4003),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.string().default('info'),
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

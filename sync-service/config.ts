import { z } from 'zod';
import { JwtConfig, Port } from '../platform/config.js';

export const SyncConfig = JwtConfig.and(
  z.object({
    HOST: z.string().default('127.0.0.1'),
    PORT: Port.default(4001),
    DAPR_HOST: z.string().default('127.0.0.1'),
    DAPR_HTTP_PORT: Port.default(3502),
    LOG_LEVEL: z.string().default('info'),
  }),
);

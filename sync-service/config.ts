import { z } from 'zod';
import { JwtConfig, Port } from '../platform/config.js';

const Ms = z.coerce.number().int().positive();

export const SyncConfig = JwtConfig.and(
  z.object({
    HOST: z.string().default('127.0.0.1'),
    PORT: Port.default(4001),
    DAPR_HOST: z.string().default('127.0.0.1'),
    DAPR_HTTP_PORT: Port.default(3502),
    /** The audit service's Dapr app id: missed events are replayed from its log. */
    AUDIT_APP_ID: z.string().default('audit-service'),
    LOG_LEVEL: z.string().default('info'),
    /** graphql-ws ping interval; a client that misses a pong is dropped. */
    KEEP_ALIVE_MS: Ms.default(12_000),
    /** Events held per subscription before a slow client is disconnected (close 4013). */
    MAX_BUFFERED_EVENTS: Ms.default(1_000),
    GAP_WAIT_MS: Ms.default(250),
    GAP_GIVE_UP_MS: Ms.default(180_000),
  }),
);

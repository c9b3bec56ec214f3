import { z } from 'zod';
import { JwtConfig, Port, Url } from '../platform/config.js';
import { DEFAULT_QUOTAS } from './limits/quotas.js';
import { WebhookPolicyConfig } from '../platform/webhook-destination.js';
import { DaprApiTokenConfig } from '../platform/dapr-tokens.js';

export const ApiConfig = JwtConfig.and(
  z.object({
    DATABASE_URL: Url,
    HOST: z.string().default('127.0.0.1'),
    PORT: Port.default(4000),
    DAPR_HOST: z.string().default('127.0.0.1'),
    DAPR_HTTP_PORT: Port.default(3500),
    ...DaprApiTokenConfig.shape,
    /** The audit service's Dapr app id, invoked for Task.history and history. */
    AUDIT_APP_ID: z.string().min(1).default('audit-service'),
    /** How long a history call may take before it is answered UNAVAILABLE. */
    AUDIT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    GRAPHIQL: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** A token GraphiQL sends by default (development only). */
    GRAPHIQL_TOKEN: z.string().optional(),
    /**
     * The sync-service's public WebSocket URL (ws:// or wss://, its path included), where
     * GraphiQL runs subscriptions; without it GraphiQL offers queries and mutations only.
     */
    SYNC_PUBLIC_URL: z.url({ protocol: /^wss?$/ }).optional(),
    LOG_LEVEL: z.string().default('info'),
    /** The origin clients reach the api at, for /mcp's metadata; else the request's Host. */
    PUBLIC_URL: Url.optional(),
    /** Comma-separated OAuth authorization servers that issue the api's tokens (RFC 9728). */
    MCP_AUTHORIZATION_SERVERS: z
      .string()
      .optional()
      .transform(
        (v) =>
          v
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean) ?? [],
      )
      .pipe(z.array(Url)),
    /** Requests a user may make per second, sustained, and at once after a pause. */
    RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(20),
    RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(100),
    /** Per-user quotas (api/limits/quotas.ts says why these defaults). */
    QUOTA_OPEN_TASKS: z.coerce.number().int().min(1).default(DEFAULT_QUOTAS.openTasks),
    QUOTA_SERIES: z.coerce.number().int().min(1).default(DEFAULT_QUOTAS.series),
    QUOTA_REMINDERS_PER_TASK: z.coerce
      .number()
      .int()
      .min(1)
      .default(DEFAULT_QUOTAS.remindersPerTask),
  }),
).and(WebhookPolicyConfig);
export type ApiConfig = z.infer<typeof ApiConfig>;

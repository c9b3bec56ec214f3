import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { unauthenticated } from '../domain/errors.js';

// Dapr's two shared secrets travel in one header, `dapr-api-token`:
// - DAPR_API_TOKEN: an app sends it on every call to its sidecar's API (the sidecar refuses
//   calls without it, except GET /v1.0/healthz and /v1.0/healthz/outbound);
// - APP_API_TOKEN: the sidecar sends it on every call it makes to its app (deliveries of
//   subscribed events, service invocations); the app refuses calls without it.

export const DAPR_TOKEN_HEADER = 'dapr-api-token';

/** Headers for a call to the sidecar's API: the token when the deployment set one. */
export const daprApiHeaders = (apiToken: string | undefined): Record<string, string> =>
  apiToken ? { [DAPR_TOKEN_HEADER]: apiToken } : {};

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Refuses (401 UNAUTHENTICATED, through the app's error handler) every request of `scope` that
 * does not carry the app token. Checked in onRequest, before the body is read: a stranger costs
 * no parsing. Both sides are hashed first, so the comparison takes the same time whatever was
 * sent and its length says nothing about the token's.
 */
export function requireDaprAppToken(scope: FastifyInstance, appToken: string): void {
  const expected = digest(appToken);
  scope.addHook('onRequest', async (req) => {
    const given = req.headers[DAPR_TOKEN_HEADER];
    if (typeof given !== 'string' || !timingSafeEqual(expected, digest(given)))
      throw unauthenticated(`only the Dapr sidecar may call this route (${DAPR_TOKEN_HEADER})`);
  });
}

/** A token as configured: long enough not to be guessed. */
const Token = z.string().min(16, 'must be at least 16 characters');

/**
 * The two settings, read by each app's config. APP_API_TOKEN is required where an app serves
 * routes Dapr calls: without it they would answer anyone. DAPR_API_TOKEN is optional: the
 * sidecar enforces it, and an app sends it when the deployment set one (every local stack does).
 */
export const DaprApiTokenConfig = z.object({ DAPR_API_TOKEN: Token.optional() });
export const AppApiTokenConfig = z.object({ APP_API_TOKEN: Token });

import { z } from 'zod';
import { jwksUrlProblem } from './auth.js';

/**
 * Validates a process's environment once, at start-up. The error names every bad or missing
 * variable at once, so a misconfigured deployment is fixed in one round.
 */
export function readConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`,
  );
  throw new Error(`invalid configuration:\n${lines.join('\n')}`);
}

export const Port = z.coerce.number().int().min(1).max(65535);
export const Url = z.url();
/** The shared HS256 secret used in development; production deployments use a longer one. */
export const JwtSecret = z.string().min(16, 'must be at least 16 characters');

/**
 * Token verification: a JWKS URL (production) or a shared HS256 secret (development). With a
 * JWKS, issuer and audience are required (an identity provider signs tokens for many apps) and
 * the URL must be https; http is allowed on a loopback address only when
 * JWT_JWKS_ALLOW_HTTP_LOOPBACK=true (tests and local identity providers).
 */
export const JwtConfig = z
  .object({
    JWT_SECRET: JwtSecret.optional(),
    JWT_JWKS_URL: Url.optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    JWT_JWKS_ALLOW_HTTP_LOOPBACK: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((c, ctx) => {
    if (!c.JWT_SECRET && !c.JWT_JWKS_URL)
      ctx.addIssue({
        code: 'custom',
        message: 'set JWT_JWKS_URL (production) or JWT_SECRET (development)',
        path: ['JWT_SECRET'],
      });
    if (!c.JWT_JWKS_URL) return;
    for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE'] as const)
      if (!c[name])
        ctx.addIssue({ code: 'custom', message: 'required with JWT_JWKS_URL', path: [name] });
    const problem = jwksUrlProblem(c.JWT_JWKS_URL, c.JWT_JWKS_ALLOW_HTTP_LOOPBACK);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['JWT_JWKS_URL'] });
  });

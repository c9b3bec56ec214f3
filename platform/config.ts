import { z } from 'zod';

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

/** Token verification: a JWKS URL (production) or a shared HS256 secret (development). */
export const JwtConfig = z
  .object({
    JWT_SECRET: JwtSecret.optional(),
    JWT_JWKS_URL: Url.optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
  })
  .refine((c) => c.JWT_SECRET || c.JWT_JWKS_URL, {
    message: 'set JWT_JWKS_URL (production) or JWT_SECRET (development)',
    path: ['JWT_SECRET'],
  });

import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyOptions } from 'jose';
import { AppError, ErrorCode, unauthenticated } from '../domain/errors.js';
import { UserId } from '../domain/ids.js';

export interface JwtVerifier {
  /** The caller's user id (`sub`), or an UNAUTHENTICATED AppError saying what is wrong. */
  verify(token: string): Promise<{ userId: UserId; expiresAt: Date | undefined }>;
}

const keysUnavailable = () =>
  new AppError(
    ErrorCode.UNAVAILABLE,
    "cannot verify tokens right now: the identity provider's keys are unavailable",
  );

type VerifyKey = Uint8Array | ReturnType<typeof createRemoteJWKSet>;

function createVerifier(key: VerifyKey, options: JWTVerifyOptions): JwtVerifier {
  return {
    async verify(token) {
      try {
        // jose overloads on the key's type; one call site keeps both kinds of key.
        const { payload } = await jwtVerify(token, key as Uint8Array, options);
        const sub = UserId.safeParse(payload.sub);
        if (!sub.success) throw unauthenticated('token has no usable `sub` claim');
        return {
          userId: sub.data,
          expiresAt: payload.exp ? new Date(payload.exp * 1000) : undefined,
        };
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw unauthenticated('token expired');
        if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid)
          throw keysUnavailable();
        if (err instanceof errors.JOSEError) throw unauthenticated(`invalid token (${err.code})`);
        if (err instanceof AppError) throw err;
        // Fetching the identity provider's keys failed (network): not the caller's fault.
        throw keysUnavailable();
      }
    },
  };
}

/** Development and simple deployments: one shared HS256 secret. */
export function createHs256Verifier(secret: string): JwtVerifier {
  return createVerifier(new TextEncoder().encode(secret), { algorithms: ['HS256'] });
}

/**
 * Production: tokens signed by an identity provider, verified against its JWKS (fetched and
 * cached by jose, refreshed when an unknown key id appears).
 */
export function createJwksVerifier(
  jwksUrl: string,
  opts: { issuer?: string | undefined; audience?: string | undefined } = {},
): JwtVerifier {
  return createVerifier(createRemoteJWKSet(new URL(jwksUrl)), {
    algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    ...(opts.audience ? { audience: opts.audience } : {}),
  });
}

/** The verifier a deployment configured: a JWKS URL wins over a shared secret. */
export function verifierFromConfig(c: {
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_SECRET?: string | undefined;
}): JwtVerifier {
  if (c.JWT_JWKS_URL)
    return createJwksVerifier(c.JWT_JWKS_URL, { issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE });
  if (c.JWT_SECRET) return createHs256Verifier(c.JWT_SECRET);
  throw new Error('set JWT_JWKS_URL (production) or JWT_SECRET (development)');
}

/** Development tokens (scripts/mint-token.ts and tests). */
export async function mintHs256Token(
  secret: string,
  userId: string,
  ttlSeconds = 3600,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

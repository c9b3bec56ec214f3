import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  SignJWT,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { AppError, ErrorCode, unauthenticated } from '../domain/errors.js';
import { UserId } from '../domain/ids.js';

export interface JwtVerifier {
  /** The caller's user id (`sub`) and when the token expires, or an UNAUTHENTICATED AppError. */
  verify(token: string): Promise<{ userId: UserId; expiresAt: Date }>;
}

/**
 * Tokens must say who (`sub`) and until when (`exp`): a token without `exp` would be good
 * forever, and would keep a WebSocket open forever.
 */
const REQUIRED_CLAIMS = ['exp', 'sub'];
/**
 * How far our clock and the issuer's may disagree (`exp`, `nbf`, `iat`). 30 s covers NTP-synced
 * hosts with room to spare while keeping an expired token useless within half a minute.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;

const keysUnavailable = () =>
  new AppError(
    ErrorCode.UNAVAILABLE,
    "cannot verify tokens right now: the identity provider's keys are unavailable",
    [],
    5,
  );

type VerifyKey = Uint8Array | JWTVerifyGetKey;

function createVerifier(key: VerifyKey, options: JWTVerifyOptions): JwtVerifier {
  const verifyOptions: JWTVerifyOptions = {
    ...options,
    requiredClaims: [...REQUIRED_CLAIMS, ...(options.requiredClaims ?? [])],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };
  return {
    async verify(token) {
      try {
        // jose overloads on the key's type; one call site keeps both kinds of key.
        const { payload } = await jwtVerify(token, key as Uint8Array, verifyOptions);
        const sub = UserId.safeParse(payload.sub);
        if (!sub.success) throw unauthenticated('token has no usable `sub` claim');
        return { userId: sub.data, expiresAt: new Date(payload.exp! * 1000) };
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw unauthenticated('token expired');
        // The claim's name is ours (issuer, audience, a required claim), never the caller's text.
        if (err instanceof errors.JWTClaimValidationFailed)
          throw unauthenticated(
            err.reason === 'missing'
              ? `invalid token: no \`${err.claim}\` claim`
              : `invalid token: \`${err.claim}\` claim ${err.reason}`,
          );
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

/** Errors of looking a key up in a key set we have: the token's fault, not the provider's. */
const isKeyLookupError = (err: unknown): boolean =>
  err instanceof errors.JWKSNoMatchingKey ||
  err instanceof errors.JWKSMultipleMatchingKeys ||
  err instanceof errors.JOSENotSupported ||
  err instanceof errors.JOSEAlgNotAllowed;

/**
 * jose's remote key set refetches when its copy is older than `cacheMaxAge` and fails every
 * verification while the provider is down, although the keys it last fetched are still good.
 * This keeps verifying with those last good keys through an outage, and asks the provider again
 * only every `retryMs` meanwhile, so that requests do not each wait for a dead provider.
 */
export function keepLastGoodKeys(
  remote: ReturnType<typeof createRemoteJWKSet>,
  retryMs: number,
  now: () => number = Date.now,
): JWTVerifyGetKey {
  let fallback: { keys: ReturnType<typeof createLocalJWKSet>; since: number } | undefined;
  return async (header, token) => {
    if (fallback && now() - fallback.since < retryMs) {
      try {
        return await fallback.keys(header, token);
      } catch (err) {
        // A key id the last good set lacks is the provider's outage, not the caller's fault:
        // the same answer (UNAVAILABLE) as when the provider was first found down.
        if (err instanceof errors.JWKSNoMatchingKey)
          throw new Error('identity provider unreachable; the token names a key not seen before', {
            cause: err,
          });
        throw err;
      }
    }
    try {
      const key = await remote(header, token);
      fallback = undefined;
      return key;
    } catch (err) {
      const lastGood = remote.jwks();
      if (isKeyLookupError(err) || !lastGood) throw err;
      const keys = createLocalJWKSet(lastGood);
      fallback = { keys, since: now() };
      try {
        return await keys(header, token);
      } catch {
        // A key the last good set does not have cannot be checked until the provider is back.
        throw err;
      }
    }
  };
}

export interface JwksOptions {
  /** Both required: a token another issuer minted for another audience must not pass. */
  issuer: string;
  audience: string;
  /** http:// on a loopback address (tests, local identity providers); https:// otherwise. */
  allowHttpLoopback?: boolean;
  /** How often to ask an unreachable provider again; meanwhile the last good keys verify. */
  retryMs?: number;
  /** How long fetched keys are used before they are fetched again (jose's default: 10 min). */
  cacheMaxAgeMs?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `url` may not serve our keys, or undefined when it may. */
export function jwksUrlProblem(url: string, allowHttpLoopback = false): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowHttpLoopback && LOOPBACK_HOSTS.has(parsed.hostname))
    return undefined;
  // Keys fetched in the clear could be swapped by anyone on the path: every token would pass.
  return allowHttpLoopback ? 'must be https (or http on a loopback address)' : 'must be https';
}

/**
 * Production: tokens signed by an identity provider, verified against its JWKS (fetched and
 * cached by jose, refreshed every 10 minutes and when an unknown key id appears; the last good
 * keys kept through an outage of the provider).
 */
export function createJwksVerifier(jwksUrl: string, opts: JwksOptions): JwtVerifier {
  const problem = jwksUrlProblem(jwksUrl, opts.allowHttpLoopback);
  if (problem) throw new Error(`JWT_JWKS_URL ${problem}`);
  if (!opts.issuer || !opts.audience)
    throw new Error('a JWKS verifier needs both an issuer and an audience');
  const remote = createRemoteJWKSet(new URL(jwksUrl), {
    timeoutDuration: 5000,
    ...(opts.cacheMaxAgeMs !== undefined && { cacheMaxAge: opts.cacheMaxAgeMs }),
  });
  return createVerifier(keepLastGoodKeys(remote, opts.retryMs ?? 30_000), {
    algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
    issuer: opts.issuer,
    audience: opts.audience,
  });
}

/** The verifier a deployment configured: a JWKS URL wins over a shared secret. */
export function verifierFromConfig(c: {
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_JWKS_ALLOW_HTTP_LOOPBACK?: boolean | undefined;
  JWT_SECRET?: string | undefined;
}): JwtVerifier {
  if (c.JWT_JWKS_URL)
    return createJwksVerifier(c.JWT_JWKS_URL, {
      issuer: c.JWT_ISSUER ?? '',
      audience: c.JWT_AUDIENCE ?? '',
      allowHttpLoopback: c.JWT_JWKS_ALLOW_HTTP_LOOPBACK ?? false,
    });
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

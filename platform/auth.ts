import { errors, jwtVerify, SignJWT } from 'jose';
import { unauthenticated } from '../domain/errors.js';
import { UserId } from '../domain/ids.js';

export interface JwtVerifier {
  /** The caller's user id (`sub`), or an UNAUTHENTICATED AppError saying what is wrong. */
  verify(token: string): Promise<{ userId: UserId; expiresAt: Date | undefined }>;
}

export function createHs256Verifier(secret: string): JwtVerifier {
  const key = new TextEncoder().encode(secret);
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const sub = UserId.safeParse(payload.sub);
        if (!sub.success) throw unauthenticated('token has no usable `sub` claim');
        return {
          userId: sub.data,
          expiresAt: payload.exp ? new Date(payload.exp * 1000) : undefined,
        };
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw unauthenticated('token expired');
        if (err instanceof errors.JOSEError) throw unauthenticated(`invalid token (${err.code})`);
        throw err;
      }
    },
  };
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

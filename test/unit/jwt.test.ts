import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { AppError } from '../../domain/errors.js';
import {
  CLOCK_TOLERANCE_SECONDS,
  createHs256Verifier,
  createJwksVerifier,
  type JwtVerifier,
} from '../../platform/auth.js';
import { JwtConfig, readConfig } from '../../platform/config.js';

// Token verification without a stack: required claims, clock tolerance, the JWKS kept through
// a provider outage, and the configuration a JWKS needs.

const SECRET = 'a-test-secret-of-some-length';
const now = () => Math.floor(Date.now() / 1000);

const rejectsWith = (code: string, why: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, `an AppError, not ${String(err)}`);
  assert.equal(err.code, code);
  assert.match(err.message, why);
  return true;
};

describe('HS256 tokens', () => {
  const verifier = createHs256Verifier(SECRET);
  const sign = (build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()).sign(
      new TextEncoder().encode(SECRET),
    );

  test('a token without exp is UNAUTHENTICATED', async () => {
    const token = await sign((j) => j.setSubject('u1'));
    await assert.rejects(verifier.verify(token), rejectsWith('UNAUTHENTICATED', /`exp`/));
  });

  test('a token without sub is UNAUTHENTICATED', async () => {
    const token = await sign((j) => j.setExpirationTime(now() + 60));
    await assert.rejects(verifier.verify(token), rejectsWith('UNAUTHENTICATED', /`sub`/));
  });

  test(`a clock ${CLOCK_TOLERANCE_SECONDS} s apart is tolerated, not more`, async () => {
    const justExpired = await sign((j) => j.setSubject('u1').setExpirationTime(now() - 10));
    assert.equal((await verifier.verify(justExpired)).userId, 'u1');
    const expired = await sign((j) =>
      j.setSubject('u1').setExpirationTime(now() - CLOCK_TOLERANCE_SECONDS - 10),
    );
    await assert.rejects(verifier.verify(expired), rejectsWith('UNAUTHENTICATED', /expired/));
  });

  test('a good token verifies to its subject and expiry', async () => {
    const exp = now() + 60;
    const token = await sign((j) => j.setSubject('u1').setExpirationTime(exp));
    assert.deepEqual(await verifier.verify(token), {
      userId: 'u1',
      expiresAt: new Date(exp * 1000),
    });
  });
});

describe('JWKS through a provider outage', () => {
  const ISSUER = 'https://id.example.test/';
  const AUDIENCE = 'tickler-api';
  let server: Server;
  let url: string;
  let up = true;
  let fetches = 0;
  let sign: (kid: string) => Promise<string>;
  let verifier: JwtVerifier;

  before(async () => {
    const k1 = await generateKeyPair('ES256');
    const k2 = await generateKeyPair('ES256');
    const jwk: JWK = { ...(await exportJWK(k1.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      fetches++;
      if (!up) return void res.writeHead(503).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    sign = (kid) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject('idp-user')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(now() + 300)
        .sign(kid === 'k1' ? k1.privateKey : k2.privateKey);
    // Keys are stale at once, so every verification would refetch: the outage is felt at once.
    verifier = createJwksVerifier(url, {
      issuer: ISSUER,
      audience: AUDIENCE,
      allowHttpLoopback: true,
      cacheMaxAgeMs: 0,
      retryMs: 60_000,
    });
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  test('known keys keep verifying while the provider is down; unknown ones are UNAVAILABLE', async () => {
    assert.equal((await verifier.verify(await sign('k1'))).userId, 'idp-user');
    up = false;
    const before = fetches;
    for (let i = 0; i < 5; i++)
      assert.equal((await verifier.verify(await sign('k1'))).userId, 'idp-user');
    assert.equal(fetches - before, 1, 'asked the dead provider once, not per request');
    // A key the last good set lacks cannot be checked until the provider is back: the caller
    // is told to retry (as for the first request that found the provider down), not that the
    // token is bad, on which graphql-ws clients would give up for good.
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        verifier.verify(await sign('k2')),
        (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE',
      );
  });

  test('a provider never reached is UNAVAILABLE, never a verified user', async () => {
    const dead = createJwksVerifier('http://127.0.0.1:1/jwks.json', {
      issuer: ISSUER,
      audience: AUDIENCE,
      allowHttpLoopback: true,
    });
    await assert.rejects(dead.verify(await sign('k1')), rejectsWith('UNAVAILABLE', /keys/));
  });

  test('an http JWKS URL is refused without the loopback switch, and off loopback', () => {
    assert.throws(() => createJwksVerifier(url, { issuer: ISSUER, audience: AUDIENCE }), /https/);
    assert.throws(
      () =>
        createJwksVerifier('http://id.example.test/jwks.json', {
          issuer: ISSUER,
          audience: AUDIENCE,
          allowHttpLoopback: true,
        }),
      /https/,
    );
  });
});

describe('JWT configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      readConfig(JwtConfig, env);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  test('a JWKS without issuer and audience is refused, naming both', () => {
    const message = problems({ JWT_JWKS_URL: 'https://id.example.test/jwks.json' });
    assert.match(message, /JWT_ISSUER: required with JWT_JWKS_URL/);
    assert.match(message, /JWT_AUDIENCE: required with JWT_JWKS_URL/);
  });

  test('an http JWKS URL is refused; on loopback only with JWT_JWKS_ALLOW_HTTP_LOOPBACK', () => {
    const base = { JWT_ISSUER: 'https://id.example.test/', JWT_AUDIENCE: 'tickler-api' };
    assert.match(
      problems({ ...base, JWT_JWKS_URL: 'http://id.example.test/jwks.json' }),
      /JWT_JWKS_URL: must be https/,
    );
    assert.match(
      problems({ ...base, JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json' }),
      /JWT_JWKS_URL: must be https/,
    );
    assert.equal(
      problems({
        ...base,
        JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
        JWT_JWKS_ALLOW_HTTP_LOOPBACK: 'true',
      }),
      '',
    );
    assert.match(
      problems({
        ...base,
        JWT_JWKS_URL: 'http://10.0.0.1/jwks.json',
        JWT_JWKS_ALLOW_HTTP_LOOPBACK: 'true',
      }),
      /JWT_JWKS_URL: must be https \(or http on a loopback address\)/,
    );
    assert.equal(problems({ ...base, JWT_JWKS_URL: 'https://id.example.test/jwks.json' }), '');
  });

  test('a shared secret alone still configures development', () => {
    assert.equal(problems({ JWT_SECRET: SECRET }), '');
  });
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AppError } from '../../domain/errors.js';
import { createJwksVerifier, mintHs256Token, type JwtVerifier } from '../../platform/auth.js';
import { apiUser, assertError, type ApiUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually } from '../support/graphql.js';

// Query limits, body size, request ids and metrics on the running api; the JWKS verifier
// against a JWKS served from a loopback server; user settings.

const baseUrl = (): string => testEnv.apiUrl.replace(/\/graphql$/, '');

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(testEnv.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('query limits', () => {
  let u: ApiUser;
  before(async () => {
    u = await apiUser('limits');
  });

  /** Introspection is the one recursive part of the schema: depth = 3 + levels. */
  const nested = (levels: number): string =>
    `{ __type(name: "Task") { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } }`;

  test('a query 10 levels deep runs', async () => {
    const data = await u.ok<{ __type: { fields: unknown[] } }>(nested(7));
    assert.ok(data.__type.fields.length > 0);
  });

  test('a query 11 levels deep is GRAPHQL_VALIDATION_FAILED naming the limit', async () => {
    const { body } = await u.raw(nested(8));
    assert.equal(body.data ?? null, null);
    const err = body.errors?.[0];
    assert.ok(err);
    assert.equal(err.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', JSON.stringify(err));
    assert.match(err.message, /11 levels deep; the limit is 10/);
  });

  test('depth through a fragment counts too', async () => {
    const query = /* GraphQL */ `
      {
        __type(name: "Task") {
          ...Deep
        }
      }
      fragment Deep on __Type {
        fields {
          type {
            ofType {
              ofType {
                ofType {
                  ofType {
                    ofType {
                      ofType {
                        ofType {
                          ofType {
                            name
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    `;
    const err = await u.fails(query);
    assert.equal(err.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(err.message, /limit is 10/);
  });

  const FIELDS = 'id title description priority tags status dueAt createdAt updatedAt version';
  const pages = (n: number, first = '200') =>
    `{ ${Array.from(
      { length: n },
      (_, i) => `p${i}: tasks(first: ${first}) { edges { node { ${FIELDS} } } }`,
    ).join(' ')} }`;

  test('two pages of 200 with ten fields cost 4802 and run', async () => {
    const data = await u.ok<Record<string, { edges: unknown[] }>>(pages(2));
    assert.deepEqual(data.p0, { edges: [] });
  });

  test('three pages of 200 (cost 7203) are refused, saying so', async () => {
    const err = await u.fails(pages(3));
    assert.equal(err.extensions?.code, 'TOO_EXPENSIVE');
    assert.match(err.message, /cost 7203; the limit is 5000/);
  });

  test('a page size given as a variable counts as the largest page', async () => {
    const query = `query ($n: Int) { ${Array.from(
      { length: 3 },
      (_, i) => `p${i}: tasks(first: $n) { edges { node { ${FIELDS} } } }`,
    ).join(' ')} }`;
    const err = await u.fails(query, { n: 1 });
    assert.match(err.message, /cost/);
  });

  test('a body over 1 MiB is refused with HTTP 413', async () => {
    const token = u.token;
    const big = JSON.stringify({
      query: 'query ($s: String) { tasks(search: $s) { totalCount } }',
      variables: { s: 'x'.repeat(1_100_000) },
    });
    const res = await post(big, { authorization: `Bearer ${token}` });
    assert.equal(res.status, 413);
    await res.arrayBuffer();
  });

  test('a body just under 1 MiB is read, and its over-long string refused before parsing', async () => {
    const res = await post(
      JSON.stringify({
        query: 'query ($s: String) { tasks(search: $s) { totalCount } }',
        variables: { s: 'x'.repeat(1_000_000) },
      }),
      { authorization: `Bearer ${u.token}` },
    );
    assert.equal(res.status, 400);
    const body = (await res.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    assert.equal(body.errors[0]!.extensions.code, 'BAD_USER_INPUT');
    assert.match(body.errors[0]!.message, /1000000 characters; the limit is 10000/);
  });
});

describe('request ids and metrics', () => {
  const ME = JSON.stringify({ query: '{ me { id } }' });

  test('a given X-Request-Id is echoed', async () => {
    const token = await mintHs256Token(testEnv.jwtSecret, 'request-id-user');
    const res = await post(ME, { authorization: `Bearer ${token}`, 'x-request-id': 'req-abc.123' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'req-abc.123');
    await res.arrayBuffer();
  });

  test('without one (or with an unusable one) a fresh id is generated per request', async () => {
    const token = await mintHs256Token(testEnv.jwtSecret, 'request-id-user');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const seen = new Set<string>();
    const variants: Record<string, string>[] = [{}, {}, { 'x-request-id': 'has spaces in it' }];
    for (const headers of variants) {
      const res = await post(ME, { authorization: `Bearer ${token}`, ...headers });
      const id = res.headers.get('x-request-id');
      assert.match(id ?? '', uuid);
      seen.add(id!);
      await res.arrayBuffer();
    }
    assert.equal(seen.size, 3);
  });

  test('an unauthenticated request is HTTP 401 with UNAUTHENTICATED, and still has an id', async () => {
    const res = await post(ME, { 'x-request-id': 'anon-1' });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-request-id'), 'anon-1');
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'UNAUTHENTICATED');
  });

  const graphqlOk = async (): Promise<number> => {
    const text = await (await fetch(`${baseUrl()}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_requests_total{') &&
          l.includes('route="/graphql"') &&
          l.includes('method="POST"') &&
          l.includes('status="200"'),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  test('GET /metrics counts /graphql requests by route, and has latencies', async () => {
    const token = await mintHs256Token(testEnv.jwtSecret, 'metrics-user');
    const before = await graphqlOk();
    for (let i = 0; i < 3; i++) await (await post(ME, { authorization: `Bearer ${token}` })).text();
    await eventually(
      'the counter to move by 3',
      async () => ((await graphqlOk()) >= before + 3 ? true : undefined),
      5_000,
    );
    const res = await fetch(`${baseUrl()}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /^http_requests_total\{.*route="\/graphql".*\} \d+$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{.*route="\/graphql".*\} \d+$/m);
    assert.match(text, /service="api"/);
    assert.doesNotMatch(text, /route="\/metrics"/, '/metrics does not count itself');
  });
});

describe('JWKS verifier', () => {
  const ISSUER = 'https://id.example.test/';
  const AUDIENCE = 'tickler-api';
  let server: Server;
  let jwksUrl: string;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let verifier: JwtVerifier;
  let fetches = 0;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      fetches++;
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
    verifier = createJwksVerifier(jwksUrl, {
      issuer: ISSUER,
      audience: AUDIENCE,
      allowHttpLoopback: true,
    });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  interface TokenOpts {
    sub?: string | undefined;
    iss?: string;
    aud?: string;
    exp?: number;
    kid?: string;
    signWith?: CryptoKey;
  }
  const token = (o: TokenOpts = {}) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
      .setIssuer(o.iss ?? ISSUER)
      .setAudience(o.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 300);
    if (!('sub' in o)) jwt.setSubject('user-from-idp');
    else if (o.sub !== undefined) jwt.setSubject(o.sub);
    return jwt.sign(o.signWith ?? key);
  };

  const unauthenticated = (why: RegExp) => (err: unknown) => {
    assert.ok(err instanceof AppError, `an AppError, not ${String(err)}`);
    assert.equal(err.code, 'UNAUTHENTICATED');
    assert.match(err.message, why);
    return true;
  };

  test('a valid token verifies to its subject and expiry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    const { userId, expiresAt } = await verifier.verify(await token({ exp }));
    assert.equal(userId, 'user-from-idp');
    assert.equal(expiresAt?.getTime(), exp * 1000);
    assert.ok(fetches >= 1, 'the keys came from the JWKS endpoint');
  });

  const bad: [string, () => Promise<string>, RegExp][] = [
    ['another issuer', () => token({ iss: 'https://evil.example.test/' }), /invalid token/],
    ['another audience', () => token({ aud: 'someone-else' }), /invalid token/],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    ['an unknown key id', () => token({ kid: 'k2', signWith: otherKey }), /invalid token/],
    ['a known key id signed by another key', () => token({ signWith: otherKey }), /invalid token/],
    ['no subject', () => token({ sub: undefined }), /sub/],
    ['an HS256 token', () => mintHs256Token(testEnv.jwtSecret, 'user-from-idp'), /invalid token/],
    ['garbage', async () => 'a.b.c', /invalid token/],
  ];
  for (const [what, make, why] of bad) {
    test(`${what} is UNAUTHENTICATED`, async () => {
      await assert.rejects(verifier.verify(await make()), unauthenticated(why));
    });
  }

  test('an unreachable JWKS is UNAUTHENTICATED or an error, never a verified user', async () => {
    const dead = createJwksVerifier('http://127.0.0.1:1/jwks.json', {
      issuer: ISSUER,
      audience: AUDIENCE,
      allowHttpLoopback: true,
    });
    await assert.rejects(dead.verify(await token()));
  });
});

describe('settings', () => {
  const SETTINGS = /* GraphQL */ `
    fragment S on UserSettings {
      timeZone
      defaultReminderOffset
      notificationPreferences {
        inApp
        email
        webhookUrl
      }
      quietHours {
        start
        end
      }
    }
  `;
  const ME = /* GraphQL */ `
    {
      me {
        id
        settings {
          ...S
        }
      }
    }
    ${SETTINGS}
  `;
  const UPDATE = /* GraphQL */ `
    mutation ($input: UpdateSettingsInput!) {
      updateSettings(input: $input) {
        ...S
      }
    }
    ${SETTINGS}
  `;
  interface Settings {
    timeZone: string;
    defaultReminderOffset: string | null;
    notificationPreferences: { inApp: boolean; email: boolean; webhookUrl: string | null };
    quietHours: { start: string; end: string } | null;
  }
  const DEFAULTS: Settings = {
    timeZone: 'UTC',
    defaultReminderOffset: 'PT30M',
    notificationPreferences: { inApp: true, email: false, webhookUrl: null },
    quietHours: null,
  };
  const read = async (u: ApiUser) => (await u.ok<{ me: { settings: Settings } }>(ME)).me.settings;
  const update = async (u: ApiUser, input: Record<string, unknown>) =>
    (await u.ok<{ updateSettings: Settings }>(UPDATE, { input })).updateSettings;

  test('a new user has the defaults', async () => {
    const u = await apiUser('settings-new');
    const { me } = await u.ok<{ me: { id: string; settings: Settings } }>(ME);
    assert.equal(me.id, u.id);
    assert.deepEqual(me.settings, DEFAULTS);
  });

  test('a valid zone is stored; absent fields stay', async () => {
    const u = await apiUser('settings-zone');
    const after = await update(u, { timeZone: 'Europe/Berlin' });
    assert.deepEqual(after, { ...DEFAULTS, timeZone: 'Europe/Berlin' });
    assert.deepEqual(await read(u), after);
    const again = await update(u, { defaultReminderOffset: 'PT2H' });
    assert.deepEqual(again, { ...after, defaultReminderOffset: 'PT2H' });
  });

  test('an alias of a zone is accepted and stored under its listed name, as series store it', async () => {
    const u = await apiUser('settings-zone-alias');
    assert.equal((await update(u, { timeZone: 'Asia/Kolkata' })).timeZone, 'Asia/Calcutta');
    assert.equal((await update(u, { timeZone: 'Europe/Kyiv' })).timeZone, 'Europe/Kiev');
    assert.equal((await read(u)).timeZone, 'Europe/Kiev');
  });

  test('an invalid zone is BAD_USER_INPUT naming input.timeZone, and changes nothing', async () => {
    const u = await apiUser('settings-bad-zone');
    for (const timeZone of ['Mars/Olympus', '', 'europe/berlin ', '+02:00']) {
      assertError(
        await u.fails(UPDATE, { input: { timeZone } }),
        'BAD_USER_INPUT',
        'input.timeZone',
      );
    }
    assert.deepEqual(await read(u), DEFAULTS);
  });

  test('defaultReminderOffset null turns the default reminder off; a bad one is refused', async () => {
    const u = await apiUser('settings-offset');
    assert.equal((await update(u, { defaultReminderOffset: null })).defaultReminderOffset, null);
    assert.equal((await read(u)).defaultReminderOffset, null);
    assert.equal((await update(u, { timeZone: 'Asia/Tokyo' })).defaultReminderOffset, null);
    for (const bad of ['P1M', 'P367D', '-PT5M', 'soon']) {
      assertError(
        await u.fails(UPDATE, { input: { defaultReminderOffset: bad } }),
        'BAD_USER_INPUT',
        'input.defaultReminderOffset',
      );
    }
    assert.equal((await update(u, { defaultReminderOffset: 'P1D' })).defaultReminderOffset, 'P1D');
  });

  test('notification preferences merge over what is stored', async () => {
    const u = await apiUser('settings-prefs');
    const a = await update(u, { notificationPreferences: { email: true } });
    assert.deepEqual(a.notificationPreferences, { inApp: true, email: true, webhookUrl: null });
    // A public address (never called: nothing fires); a name would need DNS, which the saved
    // URL's check asks (test/e2e/webhook.test.ts covers refused destinations).
    const b = await update(u, {
      notificationPreferences: { webhookUrl: 'https://8.8.8.8/tickler' },
    });
    assert.deepEqual(b.notificationPreferences, {
      inApp: true,
      email: true,
      webhookUrl: 'https://8.8.8.8/tickler',
    });
    const c = await update(u, { notificationPreferences: { inApp: false, webhookUrl: null } });
    assert.deepEqual(c.notificationPreferences, { inApp: false, email: true, webhookUrl: null });
    assertError(
      await u.fails(UPDATE, {
        input: { notificationPreferences: { webhookUrl: 'ftp://x.test/' } },
      }),
      'BAD_USER_INPUT',
      'input.notificationPreferences.webhookUrl',
    );
    assert.deepEqual((await read(u)).notificationPreferences, c.notificationPreferences);
  });

  test('quiet hours: set, kept by other changes, turned off; bad ones name the field', async () => {
    const u = await apiUser('settings-quiet');
    const night = { start: '22:00', end: '07:30' };
    assert.deepEqual((await update(u, { quietHours: night })).quietHours, night);
    assert.deepEqual((await update(u, { timeZone: 'Europe/Berlin' })).quietHours, night);
    for (const [quietHours, path] of [
      [{ start: '25:00', end: '07:00' }, 'input.quietHours.start'],
      [{ start: '22:00', end: '7:00' }, 'input.quietHours.end'],
      [{ start: '22:00', end: '22:00' }, 'input.quietHours.end'],
    ] as const) {
      assertError(await u.fails(UPDATE, { input: { quietHours } }), 'BAD_USER_INPUT', path);
    }
    assert.deepEqual((await read(u)).quietHours, night);
    assert.equal((await update(u, { quietHours: null })).quietHours, null);
  });
});

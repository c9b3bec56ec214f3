import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  TemporalConnectionConfig,
  temporalConnectionOptions,
} from '../../platform/temporal-connection.js';

// How the worker (and the chart's search-attribute Job) reach Temporal: plain, TLS, mTLS, Cloud.

const options = (env: Record<string, string>) =>
  temporalConnectionOptions(TemporalConnectionConfig.parse(env));

test('a plain address by default: no TLS, no key', () => {
  assert.deepEqual(options({}), { address: '127.0.0.1:7233' });
  assert.deepEqual(options({ TEMPORAL_TLS: 'false', TEMPORAL_ADDRESS: 't:7233' }), {
    address: 't:7233',
  });
});

test('Temporal Cloud: an API key implies TLS with the system CAs', () => {
  assert.deepEqual(
    options({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' }),
    {
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'k',
    },
  );
});

test('a private CA, a server name and a client certificate are read from their files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  for (const f of ['ca.crt', 'tls.crt', 'tls.key']) writeFileSync(join(dir, f), `pem of ${f}`);
  const o = options({
    TEMPORAL_TLS: 'true',
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    TEMPORAL_TLS_CA_FILE: join(dir, 'ca.crt'),
    TEMPORAL_TLS_CERT_FILE: join(dir, 'tls.crt'),
    TEMPORAL_TLS_KEY_FILE: join(dir, 'tls.key'),
  });
  assert.equal(o.tls?.serverNameOverride, 'temporal.internal');
  assert.equal(o.tls?.serverRootCACertificate?.toString(), 'pem of ca.crt');
  assert.equal(o.tls?.clientCertPair?.crt.toString(), 'pem of tls.crt');
  assert.equal(o.tls?.clientCertPair?.key.toString(), 'pem of tls.key');
  assert.equal(o.apiKey, undefined);
});

test('a client certificate without its key is refused', () => {
  assert.throws(
    () => options({ TEMPORAL_TLS_CERT_FILE: '/x/tls.crt' }),
    /TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together/,
  );
});

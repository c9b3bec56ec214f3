import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { testEnv } from '../support/env.js';
import {
  ApiKey,
  metadataBody,
  openWire,
  parseSaslHandshake,
  request,
  saslHandshakeBody,
} from '../support/kafka-wire.js';

// The stack's Kafka requires SASL/SCRAM-SHA-512 on the listener clients reach: a client without
// SASL is disconnected at its first real request, a wrong password is refused, and the stack's
// credentials work. That the sidecars' events still flow is the e2e tests' part
// (thin-path, kafka-outage, dead-letters).

const execFileAsync = promisify(execFile);
const UNSUPPORTED_SASL_MECHANISM = 33;

const broker = () => {
  const [host, port] = testEnv.kafkaBrokers.split(':');
  return { host: host!, port: Number(port) };
};

test('a client without SASL gets its ApiVersions answered, then is disconnected at Metadata', async () => {
  const { host, port } = broker();
  const wire = await openWire(host, port);
  try {
    // ApiVersions is allowed before authentication (clients use it to pick versions): an
    // answer shows the broker is up and speaking to us, so the close below is a refusal.
    wire.send(request(ApiKey.apiVersions, 0, 1, Buffer.alloc(0)));
    const versions = await wire.next();
    assert.ok(versions !== 'closed', 'the broker closed before answering ApiVersions');
    assert.equal(versions.correlationId, 1);

    wire.send(request(ApiKey.metadata, 4, 2, metadataBody()));
    const metadata = await wire.next();
    assert.equal(
      metadata,
      'closed',
      'an unauthenticated Metadata request was answered: the listener does not require SASL',
    );
  } finally {
    wire.close();
  }
});

test('the listener offers SCRAM-SHA-512 only (PLAIN, which sends the password, is refused)', async () => {
  const { host, port } = broker();
  const wire = await openWire(host, port);
  try {
    wire.send(request(ApiKey.saslHandshake, 1, 7, saslHandshakeBody('PLAIN')));
    const answer = await wire.next();
    assert.ok(answer !== 'closed', 'the broker closed instead of answering SaslHandshake');
    assert.deepEqual(parseSaslHandshake(answer.body), {
      errorCode: UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ['SCRAM-SHA-512'],
    });
  } finally {
    wire.close();
  }
});

// The broker's own admin tool (kafka.admin.ConfigCommand, on the stack's classpath) as a real
// SASL client: it lists the SCRAM users with the stack's credentials and fails with others.
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickler-kafka-sasl-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function describeUsers(
  password: string,
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const config = join(dir, `client-${Math.random().toString(36).slice(2)}.properties`);
  await writeFile(
    config,
    [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=SCRAM-SHA-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required ' +
        `username="${testEnv.kafkaUser.username}" password="${password}";`,
      // Bounded: a refused client must fail, never retry for the default minute.
      'request.timeout.ms=15000',
      'default.api.timeout.ms=30000',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const args = [
    '-Xmx128m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    testEnv.kafkaClasspath,
    'kafka.admin.ConfigCommand',
    '--bootstrap-server',
    testEnv.kafkaBrokers,
    '--command-config',
    config,
    '--describe',
    '--entity-type',
    'users',
  ];
  try {
    const { stdout, stderr } = await execFileAsync('java', args, { timeout: 90_000 });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

test("the stack's SCRAM credentials authenticate; every sidecar has a user of its own", async () => {
  const { ok, stdout, stderr } = await describeUsers(testEnv.kafkaUser.password);
  assert.ok(ok, `ConfigCommand failed with the stack's credentials:\n${stderr.slice(-2000)}`);
  for (const user of ['api', 'worker', 'sync-service', 'audit-service', 'broker', 'admin'])
    assert.match(
      stdout,
      new RegExp(`user-principal '${user}' are SCRAM-SHA-512`),
      `no SCRAM-SHA-512 credential for ${user} in:\n${stdout}`,
    );
});

test('a wrong password is refused', async () => {
  const { ok, stderr } = await describeUsers(`not-${testEnv.kafkaUser.password}`);
  assert.equal(ok, false, 'ConfigCommand succeeded with a wrong password');
  assert.match(stderr, /Authentication failed|SaslAuthenticationException/);
});

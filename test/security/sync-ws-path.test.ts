import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { mintHs256Token } from '../../platform/auth.js';
import { freePorts } from '../../stack/ports.js';
import { ROOT } from '../../stack/paths.js';

// WS_PATH (set by the Helm chart, whose one Ingress host gives /graphql to the api): the
// sync-service's WebSocket answers there, and nowhere else. A process of its own, no sidecar.

const secret = randomBytes(24).toString('base64url');
let port = 0;
let child: ReturnType<typeof spawn> | undefined;

before(async () => {
  const [p, internalPort, deadDapr] = (await freePorts(3)) as [number, number, number];
  port = p;
  child = spawn(process.execPath, ['--import', 'tsx', 'sync-service/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      JWT_SECRET: secret,
      APP_API_TOKEN: randomBytes(24).toString('base64url'),
      HOST: '127.0.0.1',
      PORT: String(port),
      INTERNAL_PORT: String(internalPort),
      DAPR_HTTP_PORT: String(deadDapr),
      WS_PATH: '/subscriptions',
      LOG_LEVEL: 'fatal',
    },
  });
  for (let i = 0; ; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) break;
    if (i > 300 || child.exitCode !== null) throw new Error('the sync-service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(() => void child?.kill('SIGTERM'));

/** The first graphql-ws answer to connection_init on `path`, or the HTTP status refusing it. */
// The token is minted before connecting: an async 'open' listener would leave a failed mint as an
// unhandled rejection instead of failing the test.
const handshake = async (path: string) => {
  const token = await mintHs256Token(secret, 'ws-path-user');
  return new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, 'graphql-transport-ws');
    ws.on('error', () => {});
    ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.once('open', () => {
      ws.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      );
    });
    ws.once('message', (d) => {
      resolve((JSON.parse(String(d)) as { type: string }).type);
      ws.close();
    });
  });
};

test('the WebSocket answers at WS_PATH', async () => {
  assert.equal(await handshake('/subscriptions'), 'connection_ack');
});

test('and no longer at /graphql', async () => {
  assert.match(await handshake('/graphql'), /^HTTP 4\d\d$/);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { testEnv } from '../support/env.js';
import { gql } from '../support/graphql.js';

// Tokens the running services must refuse: one without `exp` (good forever, and it would keep
// a socket open forever) and one without `sub`, over HTTP (api) and WebSocket (sync-service).

const sign = (build: (jwt: SignJWT) => SignJWT) =>
  build(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()).sign(
    new TextEncoder().encode(testEnv.jwtSecret),
  );

const tokens: [string, () => Promise<string>, RegExp][] = [
  ['without exp', () => sign((j) => j.setSubject('jwt-no-exp')), /`exp`/],
  ['without sub', () => sign((j) => j.setExpirationTime('5m')), /`sub`/],
];

/** The close code and reason the sync-service answers a connection_init with this token. */
function closeOfConnectionInit(token: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(testEnv.syncUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('the socket stayed open'));
    }, 10_000);
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'connection_init',
          payload: { authorization: `Bearer ${token}` },
        }),
      ),
    );
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string };
      if (msg.type === 'connection_ack') {
        clearTimeout(timer);
        ws.close();
        reject(new Error('connection_ack: the token was accepted'));
      }
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: String(reason) });
    });
    ws.on('error', () => {});
  });
}

describe('JWT claims on the running services', () => {
  for (const [what, make, why] of tokens) {
    test(`a token ${what}: HTTP 401 UNAUTHENTICATED from the api`, async () => {
      const { status, body } = await gql('{ me { id } }', {}, { token: await make() });
      assert.equal(status, 401);
      assert.equal(body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.match(body.errors![0]!.message, why);
    });

    test(`a token ${what}: the sync-service closes the socket with 4401`, async () => {
      const { code, reason } = await closeOfConnectionInit(await make());
      assert.equal(code, 4401);
      assert.match(reason, why);
    });
  }
});

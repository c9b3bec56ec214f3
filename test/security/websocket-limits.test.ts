import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { mintHs256Token } from '../../platform/auth.js';
import { readConfig } from '../../platform/config.js';
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_UNAUTHORIZED } from '../../sync-service/close-codes.js';
import { SyncConfig } from '../../sync-service/config.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { HEALTHZ_BUDGET_MS, underProbe, underProbeWithinBudget } from '../support/healthz-probe.js';

// The sync-service's WebSocket limits on the real stack, as a hostile or careless client meets
// them: a huge frame, no connection_init, too many sockets, too many subscriptions.

/** The limits the stack's sync-service runs with: its configuration's defaults. */
const limits = readConfig(SyncConfig, {
  JWT_SECRET: 'only-here-to-read-the-defaults',
  APP_API_TOKEN: 'only-here-to-read-the-defaults',
});

interface Closed {
  code: number;
  reason: string;
}

const opened: WebSocket[] = [];
after(() => {
  for (const ws of opened) ws.terminate();
});

function open(): Promise<WebSocket> {
  // An all-zero mask: ws then skips masking, so sending a big frame costs this process (which
  // also runs the healthz probe) next to nothing; the server's cost is what is measured.
  const ws = new WebSocket(testEnv.syncUrl, 'graphql-transport-ws', {
    generateMask: (mask) => void mask.fill(0),
  });
  opened.push(ws);
  // A write to a socket the server closed (the big frame) errors; the close event tells why.
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

const closed = (ws: WebSocket): Promise<Closed> =>
  ws.readyState === WebSocket.CLOSED
    ? Promise.resolve({ code: -1, reason: 'already closed' })
    : new Promise((resolve) =>
        ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );

function nextMessage(ws: WebSocket): Promise<Record<string, unknown> | Closed> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      ws.off('close', onClose);
      resolve(JSON.parse(data.toString()) as Record<string, unknown>);
    };
    const onClose = (code: number, reason: Buffer) => {
      ws.off('message', onMessage);
      resolve({ code, reason: reason.toString() });
    };
    ws.once('message', onMessage);
    ws.once('close', onClose);
  });
}

/** A socket through connection_init: acknowledged, or how it was closed. */
async function connect(userId: string): Promise<{ ws: WebSocket; refused?: Closed }> {
  // The token first: a socket refused on arrival (4029) closes while anything else is awaited.
  const token = await mintHs256Token(testEnv.jwtSecret, userId);
  const ws = await open();
  ws.send(
    JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
  );
  const first = await nextMessage(ws);
  if ('code' in first) return { ws, refused: first as Closed };
  assert.equal(first.type, 'connection_ack');
  return { ws };
}

const subscribe = (ws: WebSocket, id: string) =>
  ws.send(
    JSON.stringify({
      id,
      type: 'subscribe',
      payload: { query: 'subscription { taskEvents { sequence } }' },
    }),
  );

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((ws) => {
      const done = closed(ws);
      ws.close(1000);
      return done;
    }),
  );
}

describe('WebSocket limits of the sync-service', () => {
  test('a 10 MiB frame closes the socket (1009) before it is read; /healthz stays fast', async () => {
    const frame = Buffer.alloc(10 * 2 ** 20, 'x');
    // A probe without an attack first: this process's first requests are slow on their own.
    await underProbe(testEnv.syncUrl, () => new Promise((r) => setTimeout(r, 200)));
    const { result, healthz } = await underProbeWithinBudget(testEnv.syncUrl, async () => {
      const ws = await open();
      const t0 = performance.now();
      const done = closed(ws);
      ws.send(frame, { binary: false });
      const close = await done;
      return { ...close, ms: Math.round(performance.now() - t0) };
    });
    console.log(`10 MiB frame: close ${result.code} after ${result.ms} ms; healthz`, healthz);
    assert.equal(result.code, 1009);
    assert.equal(healthz.failures, 0);
    assert.ok(
      healthz.maxMs < HEALTHZ_BUDGET_MS,
      `healthz took ${healthz.maxMs} ms (budget ${HEALTHZ_BUDGET_MS})`,
    );
  });

  test('a frame above the limit is refused after authentication too', async () => {
    const { ws, refused } = await connect(uniqueUser('big-subscribe'));
    assert.equal(refused, undefined);
    const done = closed(ws);
    ws.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: ' '.repeat(limits.WS_MAX_FRAME_BYTES) },
      }),
    );
    assert.equal((await done).code, 1009);
  });

  test('a socket that never sends connection_init is closed (4408)', async () => {
    const ws = await open();
    const { code } = await closed(ws);
    assert.equal(code, 4408);
  });

  test('a bad token is still refused with 4401', async () => {
    const ws = await open();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer nope' } }));
    assert.equal((await closed(ws)).code, CLOSE_UNAUTHORIZED);
  });

  test(`one user gets at most MAX_SOCKETS_PER_USER sockets (4029 beyond)`, async () => {
    const user = uniqueUser('many-sockets');
    const sockets: WebSocket[] = [];
    for (let i = 0; i < limits.MAX_SOCKETS_PER_USER; i++) {
      const { ws, refused } = await connect(user);
      assert.equal(refused, undefined, `socket ${i + 1} was refused: ${JSON.stringify(refused)}`);
      sockets.push(ws);
    }
    const extra = await connect(user);
    assert.equal(extra.refused?.code, CLOSE_TOO_MANY_CONNECTIONS);
    assert.match(extra.refused.reason, /user/);
    // Another user is not affected.
    const other = await connect(uniqueUser('other-user'));
    assert.equal(other.refused, undefined);
    // Once one closes, the user gets a socket again (the server may see the close a moment later).
    await closeAll([sockets.pop()!]);
    let again: Awaited<ReturnType<typeof connect>> | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      again = await connect(user);
      if (!again.refused) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(again?.refused, undefined);
    await closeAll([...sockets, other.ws, again!.ws]);
  });

  test('one socket runs at most MAX_SUBSCRIPTIONS_PER_SOCKET operations (QUOTA_EXCEEDED beyond)', async () => {
    const user = uniqueUser('many-subscriptions');
    const { ws } = await connect(user);
    const max = limits.MAX_SUBSCRIPTIONS_PER_SOCKET;
    for (let i = 1; i <= max; i++) subscribe(ws, String(i));
    subscribe(ws, 'one-too-many');
    const refusal = (await nextMessage(ws)) as {
      id?: string;
      type?: string;
      payload?: { extensions?: { code?: string } }[];
    };
    assert.equal(refusal.type, 'error', JSON.stringify(refusal));
    assert.equal(refusal.id, 'one-too-many');
    assert.equal(refusal.payload?.[0]?.extensions?.code, 'QUOTA_EXCEEDED');
    // The socket stays open; once one ends, another operation runs.
    ws.send(JSON.stringify({ id: '1', type: 'complete' }));
    ws.send(JSON.stringify({ id: 'me', type: 'subscribe', payload: { query: '{ me }' } }));
    const answer = (await nextMessage(ws)) as { id?: string; payload?: { data?: { me?: string } } };
    assert.equal(answer.id, 'me', JSON.stringify(answer));
    assert.equal(answer.payload?.data?.me, user);
    await closeAll([ws]);
  });

  test('an operation over the token limit is an error for that operation, not a parse', async () => {
    const { ws } = await connect(uniqueUser('many-tokens'));
    const query = `subscription { taskEvents { ${'sequence '.repeat(5000)}} }`;
    ws.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query } }));
    const refusal = (await nextMessage(ws)) as {
      id?: string;
      type?: string;
      payload?: { message?: string }[];
    };
    assert.equal(refusal.type, 'error', JSON.stringify(refusal).slice(0, 300));
    assert.equal(refusal.id, 'big');
    assert.match(refusal.payload?.[0]?.message ?? '', /500 tokens/);
    await closeAll([ws]);
  });

  test('one address gets at most MAX_SOCKETS_PER_ADDRESS sockets (4029 beyond)', async () => {
    const max = limits.MAX_SOCKETS_PER_ADDRESS;
    const sockets: WebSocket[] = [];
    let refused: Closed | undefined;
    // Authenticated sockets of distinct users (they stay open); the first refusal ends the loop.
    for (let i = 0; i <= max && !refused; i++) {
      const c = await connect(uniqueUser(`address-${i}`));
      sockets.push(c.ws);
      refused = c.refused;
    }
    assert.equal(refused?.code, CLOSE_TOO_MANY_CONNECTIONS);
    assert.match(refused.reason, /address/);
    assert.equal(sockets.length - 1, max, 'sockets accepted before the refusal');
    await closeAll(sockets);
  });
});

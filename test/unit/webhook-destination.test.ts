import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { postPinned } from '../../platform/pinned-post.js';
import {
  createWebhookDestinations,
  DestinationRefused,
  DestinationUnresolved,
  STRICT_WEBHOOK_POLICY,
  type ResolvedAddress,
} from '../../platform/webhook-destination.js';
import { HOOK_TEST_CERT, HOOK_TEST_KEY } from '../support/hook-test-tls.js';
import { webhookReceiver } from '../support/webhook-receiver.js';

// The destination check on URLs (odd spellings, schemes, host names) and the pinned POST. DNS is
// a fake here: names map to addresses the test chooses; nothing leaves loopback.

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

function fakeDns(names: Record<string, ResolvedAddress[]>) {
  const asked: string[] = [];
  return {
    asked,
    resolve: async (host: string) => {
      asked.push(host);
      return names[host] ?? [];
    },
  };
}

const strict = (names: Record<string, ResolvedAddress[]> = {}) =>
  createWebhookDestinations({ policy: STRICT_WEBHOOK_POLICY, resolve: fakeDns(names).resolve });
const permissive = (resolve = fakeDns({}).resolve) =>
  createWebhookDestinations({ policy: { allowHttp: true, allowLoopback: true }, resolve });

async function refusal(check: Promise<unknown>): Promise<string> {
  try {
    await check;
  } catch (err) {
    assert.ok(err instanceof DestinationRefused, `refused, not ${String(err)}`);
    return err.message;
  }
  assert.fail('the destination was accepted');
}

describe('webhook destination check', () => {
  test('odd spellings of loopback and metadata addresses are what they are', async () => {
    const urls = [
      'https://2130706433/',
      'https://0x7f000001/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://0x7f.0.0.1/',
      'https://１２７.０.０.１/',
      'https://[::ffff:127.0.0.1]/',
      'https://[0:0:0:0:0:ffff:7f00:1]/',
      'https://[::1]/',
      'https://2852039166/latest/meta-data/',
      'https://0xa9.0xfe.0xa9.0xfe/',
      'https://0251.0376.0251.0376/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://0/',
      'https://[::]/',
    ];
    for (const url of urls) assert.match(await refusal(strict().check(url)), /^is /, url);
  });

  test('each refused class says what it is', async () => {
    const cases: [string, RegExp][] = [
      ['https://10.1.2.3/', /private/],
      ['https://172.16.0.1/', /private/],
      ['https://192.168.0.10/', /private/],
      ['https://169.254.169.254/', /link-local/],
      ['https://[fe80::1]/', /link-local/],
      ['https://100.64.0.1/', /carrier-grade NAT/],
      ['https://[fd00::1]/', /unique-local/],
      ['https://224.0.0.251/', /multicast/],
      ['https://[ff02::1]/', /multicast/],
      ['https://255.255.255.255/', /broadcast/],
      ['https://192.0.2.1/', /reserved/],
      ['https://[2001:db8::1]/', /reserved/],
      ['https://[::ffff:10.0.0.1]/', /IPv4-mapped/],
      ['https://[64:ff9b::a9fe:a9fe]/', /NAT64 address embedding a link-local/],
      ['https://127.0.0.1/', /loopback/],
    ];
    for (const [url, reason] of cases)
      assert.match(await refusal(strict().check(url)), reason, url);
  });

  test('a public address passes, normalised by the URL parser', async () => {
    const dest = await strict().check('HTTPS://8.8.8.8:8443/Hook?a=1');
    assert.equal(dest.url.href, 'https://8.8.8.8:8443/Hook?a=1');
    assert.deepEqual(dest.addresses, [v4('8.8.8.8')]);
  });

  test('https only, unless development allows http', async () => {
    assert.match(await refusal(strict().check('http://8.8.8.8/')), /must be https/);
    assert.match(await refusal(strict().check('ftp://8.8.8.8/')), /must be https/);
    await permissive().check('http://8.8.8.8/');
    assert.match(await refusal(permissive().check('ftp://8.8.8.8/')), /must be http\(s\)/);
  });

  test('a host name is refused when any of its addresses is', async () => {
    const names = {
      'hooks.example': [v4('93.184.215.14'), v6('2606:2800:21f:cb07:6820:80da:af6b:8b2c')],
      'split.example': [v4('93.184.215.14'), v4('10.0.0.7')],
      'sneaky.example': [v6('2606:4700::1'), v6('::ffff:169.254.169.254')],
      'metadata.example': [v4('169.254.169.254')],
    };
    const dest = await strict(names).check('https://hooks.example/h');
    assert.equal(dest.addresses.length, 2);
    assert.match(
      await refusal(strict(names).check('https://split.example/')),
      /resolves to a private/,
    );
    assert.match(await refusal(strict(names).check('https://sneaky.example/')), /IPv4-mapped/);
    assert.match(await refusal(strict(names).check('https://metadata.example/')), /link-local/);
  });

  test('localhost names are loopback without asking DNS', async () => {
    const dns = fakeDns({ localhost: [v4('8.8.8.8')] });
    const check = createWebhookDestinations({
      policy: STRICT_WEBHOOK_POLICY,
      resolve: dns.resolve,
    });
    for (const url of ['https://localhost/', 'https://LOCALHOST./', 'https://api.localhost/'])
      assert.match(await refusal(check.check(url)), /loopback/, url);
    assert.deepEqual(dns.asked, []);
  });

  test('a host without addresses is unresolved, not refused', async () => {
    await assert.rejects(
      strict().check('https://nowhere.example/'),
      (err) => err instanceof DestinationUnresolved && err.noAddress,
    );
  });

  test('the loopback switch allows loopback and nothing else', async () => {
    await permissive().check('http://127.0.0.1:9/');
    await permissive().check('http://[::1]:9/');
    assert.match(await refusal(permissive().check('http://10.0.0.1/')), /private/);
    assert.match(await refusal(permissive().check('http://[::ffff:127.0.0.1]/')), /IPv4-mapped/);
  });
});

describe('postPinned', () => {
  const post = { headers: {}, body: '{}', timeoutMs: 5_000, maxResponseBytes: 1024 };

  test('connects to the checked address: DNS is asked once, however it answers later', async () => {
    const hook = await webhookReceiver();
    try {
      let calls = 0;
      // A rebinding DNS server: loopback (allowed by the test switch) first, metadata after.
      const resolve = async () => (++calls === 1 ? [v4('127.0.0.1')] : [v4('169.254.169.254')]);
      const dest = await permissive(resolve).check(`http://rebind.example:${hook.port}/hook`);
      assert.equal(await postPinned(dest, post), 200);
      assert.equal(calls, 1, 'no second lookup');
      assert.equal(hook.received.length, 1);
      assert.equal(hook.received[0]!.headers.host, `rebind.example:${hook.port}`);
    } finally {
      await hook.close();
    }
  });

  test('a redirect is answered as a status, not followed', async () => {
    const target = await webhookReceiver();
    const hook = await webhookReceiver([{ status: 302, headers: { location: target.url } }]);
    try {
      const dest = await permissive().check(hook.url);
      assert.equal(await postPinned(dest, post), 302);
      assert.equal(hook.received.length, 1);
      assert.equal(target.received.length, 0);
    } finally {
      await Promise.all([hook.close(), target.close()]);
    }
  });

  test('a receiver that never answers is given up after the timeout', async () => {
    const server = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const dest = await permissive().check(`http://127.0.0.1:${port}/`);
      await assert.rejects(
        postPinned(dest, { ...post, timeoutMs: 200 }),
        /no answer within 200 ms/,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a huge response body is cut off, not read', async () => {
    let written = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200);
      // Endless: only the client closing the connection stops it.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const dest = await permissive().check(`http://127.0.0.1:${port}/`);
      assert.equal(await postPinned(dest, post), 200);
      assert.ok(written < 64 * 1024 * 1024, `the server wrote ${written} bytes before the cut`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('https: SNI names the URL host, not the pinned address, and the certificate is checked', async () => {
    const servernames: string[] = [];
    let requests = 0;
    const server = createTlsServer(
      {
        key: HOOK_TEST_KEY,
        cert: HOOK_TEST_CERT,
        SNICallback: (name, cb) => {
          servernames.push(name);
          cb(null, undefined);
        },
      },
      (_req, res) => {
        requests++;
        res.end();
      },
    ).listen(0, '127.0.0.1');
    server.on('tlsClientError', () => {});
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const resolve = async () => [v4('127.0.0.1')];
      const dest = await permissive(resolve).check(`https://hook.test:${port}/hook`);
      // Self-signed: a client that checks certificates refuses it before sending anything.
      await assert.rejects(postPinned(dest, post), /self[- ]signed/i);
      assert.equal(requests, 0);
      assert.deepEqual(servernames, ['hook.test']);
    } finally {
      server.close();
    }
  });
});

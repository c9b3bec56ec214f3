import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createClient } from 'graphql-ws';
import { renderGraphiQL as yogaDefaultPage } from 'graphql-yoga';
import WebSocket from 'ws';
import { freePorts } from '../../stack/ports.js';
import { ROOT } from '../../stack/paths.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { eventually, tokenFor } from '../support/graphql.js';

// GraphiQL as a developer opens it: a real api process (GRAPHIQL=true, GRAPHIQL_TOKEN,
// SYNC_PUBLIC_URL: the stack's sync-service) serving the page, checked for what it would load
// from elsewhere, then driven with the options it carries: a mutation to the api, the taskEvents
// subscription to the sync-service.

const userId = uniqueUser('graphiql');
let token = '';
let origin = '';
let child: ReturnType<typeof spawn> | undefined;

before(async () => {
  const [port, deadDapr] = (await freePorts(2)) as [number, number];
  origin = `http://127.0.0.1:${port}`;
  token = await tokenFor(userId);
  child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: testEnv.serviceDatabaseUrls.api,
      JWT_SECRET: testEnv.jwtSecret,
      HOST: '127.0.0.1',
      PORT: String(port),
      DAPR_HTTP_PORT: String(deadDapr),
      GRAPHIQL: 'true',
      GRAPHIQL_TOKEN: token,
      SYNC_PUBLIC_URL: testEnv.syncUrl,
      LOG_LEVEL: 'fatal',
    },
  });
  for (let i = 0; ; i++) {
    if ((await fetch(`${origin}/healthz`).catch(() => undefined))?.ok) break;
    if (i > 300 || child.exitCode !== null) throw new Error('the api did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(() => void child?.kill('SIGTERM'));

const page = async (): Promise<string> => {
  const res = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200, 'the page needs no token');
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  return res.text();
};

/** What a page loads: attribute URLs (quoted or not) and CSS url()/@import, outside scripts. */
function loadedUrls(html: string): string[] {
  const css = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]!).join('\n');
  const markup = html
    .replace(/<script[^>]*>[\s\S]*?<\/script>/gi, (tag) => tag.slice(0, tag.indexOf('>') + 1))
    .replace(/<style[^>]*>[\s\S]*?<\/style>/gi, '');
  const attrs = [
    ...markup.matchAll(
      /\s(?:src|href|srcset|action|poster|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi,
    ),
  ].map((m) => m[1]!.replace(/^["']|["']$/g, ''));
  const fromCss = [
    ...css.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi),
    ...css.matchAll(/@import\s+(["'])([^"']*)\1/gi),
  ].map((m) => m[2]!);
  return [...attrs, ...fromCss];
}

// Absolute URLs the bundled GraphiQL holds only as text, never loads: links a user may follow
// (the logo's to GitHub) and that messages and doc comments cite (react.dev's error decoder,
// commonmark, prettier, ...), XML and JSON Schema namespaces (its JSON editor's remote schema
// requests are off), and placeholder bases for parsing relative URLs. A new host here fails the test
// until someone has looked at what the bundle does with it.
const TEXT_ONLY_HOSTS = new Set([
  '24ways.org',
  'code.visualstudio.com',
  'commonmark.org',
  'dummyhostname.com',
  'en.wikipedia.org',
  'github.com',
  'json-schema.org',
  'lists.w3.org',
  'microsoft.com',
  'prettier.io',
  'radix-ui.com',
  'react.dev',
  'www.example.com',
  'www.onegraph.com',
  'www.rapidtables.com',
  'www.w3.org',
  'yarnpkg.com',
]);

/** Every problem a page has with respect to loading from other hosts. */
function foreignReferences(html: string, allowed: string[]): string[] {
  const problems: string[] = [];
  for (const url of loadedUrls(html)) {
    if (/^(data|blob):/.test(url)) continue;
    const resolved = new URL(url, `${origin}/graphql`);
    if (resolved.origin !== origin) problems.push(`loads ${url}`);
  }
  for (const [url] of html.matchAll(/(?:https?|wss?):\/\/[a-z0-9.-]+(?::\d+)?[^\s"'`)<>\\]*/gi)) {
    const { origin: o, hostname } = new URL(url);
    if (o === origin || allowed.includes(url) || TEXT_ONLY_HOSTS.has(hostname)) continue;
    problems.push(`mentions ${url}`);
  }
  return [...new Set(problems)];
}

/** The options the page renders GraphiQL with (the JSON literal its last script line passes). */
function optionsOf(html: string): Record<string, unknown> {
  const call = 'YogaGraphiQL.renderYogaGraphiQL(';
  const tail = html.slice(html.lastIndexOf(call) + call.length);
  const json = tail.slice(tail.indexOf('{'), tail.lastIndexOf('}') + 1);
  return JSON.parse(json) as Record<string, unknown>;
}

test('the page and what it loads come from the api; it names no other host but the sync-service', async () => {
  const html = await page();
  assert.deepEqual(foreignReferences(html, [testEnv.syncUrl]), []);
  // Anything it loads from the api is checked the same way (today everything is inline).
  for (const url of loadedUrls(html).filter((u) => !/^(data|blob):/.test(u))) {
    const res = await fetch(new URL(url, `${origin}/graphql`));
    assert.equal(res.status, 200, url);
    assert.deepEqual(foreignReferences(await res.text(), [testEnv.syncUrl]), [], url);
  }
  // The check can fail: yoga's own page takes GraphiQL from a CDN.
  const cdn = foreignReferences(yogaDefaultPage({}), []);
  assert.ok(
    cdn.some((p) => p.startsWith('loads https://unpkg.com/')),
    cdn.join('\n'),
  );
});

test("the page's options point subscriptions at the sync-service, the rest at the api", async () => {
  const options = optionsOf(await page());
  assert.equal(options.endpoint, undefined, 'queries go to the page’s own /graphql');
  assert.equal(options.subscriptionsProtocol, 'WS');
  assert.equal(options.subscriptionsEndpoint, testEnv.syncUrl);
  assert.deepEqual(options.connectionParams, { authorization: `Bearer ${token}` });
  assert.deepEqual(JSON.parse(options.headers as string), { Authorization: `Bearer ${token}` });
  const schema = options.schema as { __schema: { subscriptionType: { name: string } | null } };
  assert.equal(schema.__schema.subscriptionType?.name, 'Subscription');
});

test('with those options, taskEvents runs against the sync-service', async () => {
  const options = optionsOf(await page());
  const client = createClient({
    url: options.subscriptionsEndpoint as string,
    connectionParams: options.connectionParams as Record<string, string>,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const received: { type: string; taskId: string | null }[] = [];
  const errors: unknown[] = [];
  // after: 0 — a fresh user's whole stream, so the event cannot slip past a late subscribe.
  const unsubscribe = client.subscribe<{ taskEvents: { type: string; taskId: string | null } }>(
    { query: 'subscription { taskEvents(after: 0) { type taskId } }' },
    {
      next: (msg) => (msg.data ? received.push(msg.data.taskEvents) : errors.push(msg.errors)),
      error: (err) => errors.push(err),
      complete: () => {},
    },
  );
  try {
    const res = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: {
        ...(JSON.parse(options.headers as string) as Record<string, string>),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        query: 'mutation { createTask(input: { title: "From GraphiQL" }) { id } }',
      }),
    });
    const body = (await res.json()) as { data?: { createTask: { id: string } } };
    const taskId = body.data?.createTask.id;
    assert.ok(taskId, JSON.stringify(body));
    await eventually('task.created on the subscription', () =>
      errors.length > 0
        ? assert.fail(JSON.stringify(errors))
        : received.find((e) => e.type === 'task.created' && e.taskId === taskId),
    );
  } finally {
    unsubscribe();
    await client.dispose();
  }
});

test('an operation without a token is still refused', async () => {
  const res = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });
  assert.equal(res.status, 401);
});

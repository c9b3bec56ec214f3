import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildEvent } from '../../domain/events.js';
import type { EventId, TaskId, UserId } from '../../domain/ids.js';
import { uniqueUser } from '../support/api-client.js';
import { testEnv } from '../support/env.js';
import { snapshot } from '../support/fixtures.js';

// Service boundaries on the real stack: the routes Dapr calls are not on any public port, they
// answer only a caller with the app token, the sidecars' APIs only a caller with the API token,
// and the audit service's reads only the app the access-control policy names.

const httpOrigin = (url: string) => new URL(url.replace(/^ws/, 'http')).origin;

/** A well-formed task.created event for `userId`: what a forger would send. */
function forgedEvent(userId: string) {
  const taskId = randomUUID() as TaskId;
  return buildEvent({
    id: randomUUID() as EventId,
    source: 'tickler/api',
    type: 'task.created',
    time: new Date(),
    subject: taskId,
    userId: userId as UserId,
    sequence: 1,
    data: { task: snapshot({ id: taskId, title: 'forged' }) },
  });
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...headers },
    body: JSON.stringify(body),
  });

const withAppToken = () => ({ 'dapr-api-token': testEnv.appApiToken });

describe('the sync-service', () => {
  test('serves no Dapr route on its public port: a forged CloudEvent gets 404', async () => {
    const event = forgedEvent(uniqueUser('forged-public'));
    for (const route of ['/events/task-events', '/events/reminders']) {
      const res = await post(`${httpOrigin(testEnv.syncUrl)}${route}`, event);
      assert.equal(res.status, 404, `${route} answered ${res.status}: ${await res.text()}`);
    }
    const metrics = await fetch(`${httpOrigin(testEnv.syncUrl)}/metrics`);
    assert.equal(metrics.status, 404, 'metrics are on the internal listener');
  });

  test('answers its internal port only with the app token', async () => {
    const event = forgedEvent(uniqueUser('forged-internal'));
    const url = `${testEnv.syncInternalUrl}/events/task-events`;
    for (const headers of [{}, { 'dapr-api-token': 'not-the-token-0123456789' }] as Record<
      string,
      string
    >[]) {
      const res = await post(url, event, headers);
      assert.equal(res.status, 401);
      assert.equal(
        ((await res.json()) as { error: { code: string } }).error.code,
        'UNAUTHENTICATED',
      );
    }
    // The same request with the token is what the sidecar delivers: the route is real.
    const res = await post(url, event, withAppToken());
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'SUCCESS' });
  });
});

describe('the audit service', () => {
  const user = encodeURIComponent(uniqueUser('audit-reader'));

  test('refuses its read routes and its deliveries without the app token', async () => {
    for (const path of [`/history/users/${user}`, `/replay/users/${user}?after=0`]) {
      const res = await fetch(`${testEnv.auditUrl}${path}`);
      assert.equal(res.status, 401, `${path} answered ${res.status}`);
      const wrong = await fetch(`${testEnv.auditUrl}${path}`, {
        headers: { 'dapr-api-token': 'not-the-token-0123456789' },
      });
      assert.equal(wrong.status, 401, `${path} with a wrong token answered ${wrong.status}`);
      const right = await fetch(`${testEnv.auditUrl}${path}`, { headers: withAppToken() });
      assert.equal(right.status, 200, `${path} with the token answered ${right.status}`);
    }
    for (const route of ['/events/task-events', '/events/reminders', '/events/dead-letters']) {
      const res = await post(`${testEnv.auditUrl}${route}`, forgedEvent(uniqueUser('forged')));
      assert.equal(res.status, 401, `${route} answered ${res.status}`);
    }
  });

  test('the api serves no Dapr route either', async () => {
    const res = await post(
      `${httpOrigin(testEnv.apiUrl)}/events/task-events`,
      forgedEvent(uniqueUser('forged-api')),
    );
    assert.equal(res.status, 404);
  });
});

describe('the sidecars', () => {
  test('refuse API calls without the API token; healthz stays open', async () => {
    const publish = `${testEnv.apiDaprHttp}/v1.0/publish/pubsub/task-events`;
    const event = forgedEvent(uniqueUser('sidecar'));
    assert.equal((await post(publish, event)).status, 401);
    const invoke = `${testEnv.apiDaprHttp}/v1.0/invoke/audit-service/method/history/users/${uniqueUser('x')}`;
    assert.equal((await fetch(invoke)).status, 401);
    assert.ok((await fetch(`${testEnv.apiDaprHttp}/v1.0/healthz/outbound`)).ok);
  });

  test('let only the api read history and only the sync-service read replay pages', async () => {
    const user = encodeURIComponent(uniqueUser('acl'));
    const headers = { 'dapr-api-token': testEnv.daprApiToken };
    const call = (sidecar: string, method: string) =>
      fetch(`${sidecar}/v1.0/invoke/audit-service/method/${method}`, { headers });
    const history = `history/users/${user}`;
    const replay = `replay/users/${user}?after=0`;
    assert.equal((await call(testEnv.apiDaprHttp, history)).status, 200);
    assert.equal((await call(testEnv.syncDaprHttp, replay)).status, 200);
    const refused = await call(testEnv.syncDaprHttp, history);
    assert.equal(refused.status, 403, await refused.text());
    assert.equal((await call(testEnv.apiDaprHttp, replay)).status, 403);
    // Nobody may deliver events to the audit service through service invocation.
    assert.equal((await call(testEnv.apiDaprHttp, 'events/task-events')).status, 403);
  });
});

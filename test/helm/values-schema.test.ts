import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helmTemplateRun } from '../support/helm.js';

// values.schema.json refuses what a typo or a wrong type would otherwise silently ignore.

const refused = async (setJson: string, pattern: RegExp) => {
  const r = await helmTemplateRun({ setJson: [setJson] });
  assert.notEqual(r.code, 0, `${setJson} was accepted`);
  assert.match(r.stderr, pattern);
};

test('an unknown top-level key is refused', () =>
  refused('replicaCount=3', /additional properties 'replicaCount' not allowed/));

test('an unknown nested key is refused (a typo of a real one)', () =>
  refused('api.replica=3', /additional properties 'replica' not allowed/));

test('an unknown key deep in a known block is refused', () =>
  refused('dapr.sidecar.resources.requests.gpu="1"', /additional properties 'gpu' not allowed/));

test('a wrong type is refused', () =>
  refused('api.replicas="two"', /\/api\/replicas': got string, want integer/));

test('a secret given as a value instead of a Secret reference is refused', () =>
  refused(
    'api.env={"DATABASE_URL":"postgres://u:p@db/tickler"}',
    /invalid propertyName 'DATABASE_URL'/,
  ));

test('a service’s secret references are the chart’s to set', () =>
  refused(
    'api.env={"SECRET_REF_JWT_SECRET":"other/key"}',
    /invalid propertyName 'SECRET_REF_JWT_SECRET'/,
  ));

test('running as root cannot be configured', () =>
  refused(
    'podSecurityContext.runAsNonRoot=false',
    /\/podSecurityContext\/runAsNonRoot': value must be true/,
  ));

test('the subscription path cannot take the api’s /graphql', () =>
  refused('ingress.subscriptionsPath="/graphql"', /\/ingress\/subscriptionsPath': 'not' failed/));

test('the defaults are accepted', async () => {
  const r = await helmTemplateRun();
  assert.equal(r.code, 0, r.stderr);
});

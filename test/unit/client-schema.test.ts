import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { CLIENT_SDL_FILE, composeClientSchema } from '../../api/schema/client-sdl.js';
import { schema as apiSchema } from '../../api/schema/index.js';
import { createSyncSchema } from '../../sync-service/schema.js';

// The checked-in client SDL is one file a frontend generates from: it must be a valid schema and
// hold every root field either service serves, with the same arguments and type.

const checkedIn = buildSchema(readFileSync(CLIENT_SDL_FILE, 'utf8'));

/** `name(arg: Type = default, ...): Type` for every field of a root type (the SDL sorts args). */
const signatures = (type: GraphQLObjectType | null | undefined): string[] =>
  Object.values(type?.getFields() ?? {}).map((f) => {
    const args = f.args
      .map((a) => `${a.name}: ${String(a.type)} = ${JSON.stringify(a.defaultValue)}`)
      .sort();
    return `${f.name}(${args.join(', ')}): ${String(f.type)}`;
  });

const rootsOf = (s: GraphQLSchema) => ({
  query: signatures(s.getQueryType()),
  mutation: signatures(s.getMutationType()),
  subscription: signatures(s.getSubscriptionType()),
});

test('the client SDL holds every api query and mutation and every sync-service subscription', () => {
  const client = rootsOf(checkedIn);
  const api = rootsOf(apiSchema);
  const sync = rootsOf(createSyncSchema());
  assert.ok(api.query.length > 0 && api.mutation.length > 0 && sync.subscription.length > 0);
  assert.deepEqual(api.subscription, [], 'the api serves no subscription');
  for (const field of api.query) assert.ok(client.query.includes(field), `Query.${field}`);
  for (const field of api.mutation) assert.ok(client.mutation.includes(field), `Mutation.${field}`);
  for (const field of sync.subscription)
    assert.ok(client.subscription.includes(field), `Subscription.${field}`);
  assert.ok(client.subscription.some((f) => f.startsWith('taskEvents(after: Int = undefined)')));
  // Nothing else: a client sees no root field that neither service answers.
  assert.equal(client.query.length, api.query.length);
  assert.equal(client.mutation.length, api.mutation.length);
  assert.equal(client.subscription.length, sync.subscription.length);
});

test('a type both services define differently is refused, not silently merged', () => {
  const api = createSchema({ typeDefs: 'type Query { me: ID! } type TaskEvent { id: ID! }' });
  const sync = createSchema({
    typeDefs:
      'type Query { me: ID! } type Subscription { e: TaskEvent! } type TaskEvent { n: Int! }',
  });
  assert.throws(() => composeClientSchema(api, sync), /both define TaskEvent/);
  const shared = createSchema({
    typeDefs: 'scalar DateTime type Query { at: DateTime }',
  });
  const syncShared = createSchema({
    typeDefs: 'scalar DateTime type Query { me: ID! } type Subscription { at: DateTime! }',
  });
  const composed = composeClientSchema(shared, syncShared);
  assert.deepEqual(rootsOf(composed), {
    query: ['at(): DateTime'],
    mutation: [],
    subscription: ['at(): DateTime!'],
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { uniqueUser } from '../support/api-client.js';
import { gql, tokenFor } from '../support/graphql.js';
import { connect, Transcript } from '../support/mcp-client.js';

// Every create a chat makes takes an idempotency key: a call retried after a timeout (same key)
// creates nothing new, on both surfaces. (add_tasks: task-tools.test.ts.)

const transcript = new Transcript('MCP idempotent creates');

interface SeriesAnswer {
  series: { id: string };
}
interface ReminderAnswer {
  results: { status: string; reminderId: string | null }[];
}

describe('idempotent creates: series and reminders', () => {
  const user = uniqueUser('mcp-idem');
  let token: string;
  let chat: Client;
  const graphql = async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await gql<T>(query, variables, { token });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  };
  before(async () => {
    token = await tokenFor(user);
    chat = await connect(user);
  });
  after(async () => {
    transcript.print();
    await chat?.close();
  });

  test('add_series retried with its key: one series', async () => {
    const args = { title: 'Water plants', text: 'every Sunday at 10am', idempotencyKey: 's-1' };
    const first = await transcript.call<SeriesAnswer>(chat, 'add_series', args);
    const retry = await transcript.call<SeriesAnswer>(chat, 'add_series', args);
    assert.equal(retry.series.id, first.series.id);
    const other = await transcript.call<SeriesAnswer>(chat, 'add_series', {
      ...args,
      idempotencyKey: 's-2',
    });
    assert.notEqual(other.series.id, first.series.id);
    const listed = await graphql<{ seriesList: { edges: { node: { id: string } }[] } }>(
      /* GraphQL */ `
        {
          seriesList(search: "water") {
            edges {
              node {
                id
              }
            }
          }
        }
      `,
    );
    assert.equal(listed.seriesList.edges.length, 2);

    // GraphQL: the same key returns the same series; another user's equal key is theirs.
    const create = /* GraphQL */ `
      mutation ($input: CreateSeriesInput!) {
        createSeries(input: $input) {
          id
        }
      }
    `;
    const input = {
      title: 'Standup',
      rrule: 'FREQ=DAILY',
      dtstart: '2030-01-01T09:00:00',
      idempotencyKey: 'g-1',
    };
    const a = await graphql<{ createSeries: { id: string } }>(create, { input });
    const b = await graphql<{ createSeries: { id: string } }>(create, { input });
    assert.equal(b.createSeries.id, a.createSeries.id);
    const { body } = await gql<{ createSeries: { id: string } }>(
      create,
      { input },
      { token: await tokenFor(uniqueUser('mcp-idem-other')) },
    );
    assert.notEqual(body.data?.createSeries.id, a.createSeries.id);
  });

  test('add_reminders retried with the call key: one reminder each', async () => {
    const added = await transcript.call<{ results: { id: string }[] }>(chat, 'add_tasks', {
      tasks: [
        { title: 'Call the bank', dueAt: 'tomorrow at 10am' },
        { title: 'Pay the bill', dueAt: 'tomorrow at 11am' },
      ],
    });
    const [bank, bill] = added.results.map((r) => r.id) as [string, string];
    const args = {
      reminders: [
        { taskId: bank, before: 'PT2H' },
        { taskId: bill, at: 'tomorrow at 9am' },
      ],
      idempotencyKey: 'call-7',
    };
    const first = await transcript.call<ReminderAnswer>(chat, 'add_reminders', args);
    const retry = await transcript.call<ReminderAnswer>(chat, 'add_reminders', args);
    assert.deepEqual(
      retry.results.map((r) => r.reminderId),
      first.results.map((r) => r.reminderId),
    );
    const reminders = await graphql<{ task: { reminders: { id: string }[] } }>(
      /* GraphQL */ `
        query ($id: ID!) {
          task(id: $id) {
            reminders {
              id
            }
          }
        }
      `,
      { id: bank },
    );
    // The default reminder and the one added, once.
    assert.equal(reminders.task.reminders.length, 2);

    const viaGraphQL = /* GraphQL */ `
      mutation ($taskId: ID!, $key: String) {
        addReminder(taskId: $taskId, input: { before: "PT1H" }, idempotencyKey: $key) {
          reminder {
            id
          }
        }
      }
    `;
    const g1 = await graphql<{ addReminder: { reminder: { id: string } } }>(viaGraphQL, {
      taskId: bill,
      key: 'r-1',
    });
    const g2 = await graphql<{ addReminder: { reminder: { id: string } } }>(viaGraphQL, {
      taskId: bill,
      key: 'r-1',
    });
    assert.equal(g2.addReminder.reminder.id, g1.addReminder.reminder.id);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { formatWithOffset, toLocal } from '../../domain/time/local-date-time.js';
import { uniqueUser } from '../support/api-client.js';
import { eventually, gql, tokenFor } from '../support/graphql.js';
import { connect, Transcript } from '../support/mcp-client.js';

// The issue's own sentences, one after another, as a chat model would turn them into tool
// calls (find the id by name, then act), on the real stack; after each, what the user would
// see is checked through GraphQL. The transcript it prints is the one docs/mcp.md shows.

const ZONE = 'America/New_York';
const transcript = new Transcript('MCP conversation (the spec scenarios)');

interface Row {
  id: string;
  title: string;
  status: string;
  priority: string;
  dueAt: string | null;
}
interface Batch {
  results: {
    status: string;
    id: string | null;
    task?: Row;
    resolved?: { text: string; dueAt: string | null; allDay: boolean };
    reminderId?: string | null;
    reminder?: { id: string; state: string; fireAt: string | null; snoozedUntil?: string };
    error?: { code: string; problems?: { path: string }[] };
  }[];
  succeeded: number;
  failed: number;
}
interface SeriesRow {
  id: string;
  title: string;
  rule: string;
  state: string;
  nextOccurrenceAt: string | null;
}

describe('MCP conversation: the spec scenarios', () => {
  const user = uniqueUser('mcp-chat');
  let token: string;
  let chat: Client;
  const say = (line: string) => transcript.say(line);
  const call = <T>(name: string, args: Record<string, unknown> = {}) =>
    transcript.call<T>(chat, name, args);
  const graphql = async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await gql<T>(query, variables, { token });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  };
  const task = async (id: string) =>
    (
      await graphql<{
        task: {
          status: string;
          dueAt: string | null;
          reminders: { id: string; state: string; fireAt: string | null }[];
        };
      }>(
        /* GraphQL */ `
          query ($id: ID!) {
            task(id: $id) {
              status
              dueAt
              reminders {
                id
                state
                fireAt
              }
            }
          }
        `,
        { id },
      )
    ).task;

  before(async () => {
    token = await tokenFor(user);
    await graphql(
      /* GraphQL */ `
        mutation ($zone: String!) {
          updateSettings(input: { timeZone: $zone }) {
            timeZone
          }
        }
      `,
      { zone: ZONE },
    );
    chat = await connect(user);
  });
  after(async () => {
    transcript.print();
    await chat?.close();
  });

  test('add, remind, show, mark done, a weekly series stopped by name, snooze', async () => {
    await call('user_info');

    say('add task buy groceries due tomorrow at 5pm');
    const added = await call<Batch>('add_tasks', {
      tasks: [{ title: 'Buy groceries', dueAt: 'tomorrow at 5pm' }],
    });
    const groceries = added.results[0]!;
    const tomorrow = toLocal(new Date(Date.now() + 86_400_000), ZONE);
    const due = groceries.resolved!.dueAt!;
    // 17:00 on tomorrow's date, New York time, whatever the offset that day.
    assert.equal(
      due.slice(0, 16),
      `${tomorrow.year}-${String(tomorrow.month).padStart(2, '0')}-${String(tomorrow.day).padStart(2, '0')}T17:00`,
    );
    assert.equal(due, formatWithOffset(new Date(due), ZONE));
    assert.equal(Date.parse((await task(groceries.id!)).dueAt!), Date.parse(due));

    say('remind me about this in 5 minutes');
    const setAt = Date.now();
    const reminded = await call<Batch>('add_reminders', {
      reminders: [{ taskId: groceries.id, at: 'in 5 minutes' }],
    });
    const fireAt = Date.parse(reminded.results[0]!.reminder!.fireAt!);
    assert.ok(Math.abs(fireAt - (setAt + 300_000)) < 5_000, `fires at ${fireAt - setAt} ms`);
    const armed = (await task(groceries.id!)).reminders.find(
      (r) => r.id === reminded.results[0]!.reminderId,
    );
    assert.equal(armed?.state, 'PENDING');

    say('add pay rent, high priority, due today at 11pm, and book flights, high, in 10 days');
    const more = await call<Batch>('add_tasks', {
      tasks: [
        { title: 'Pay rent', priority: 'HIGH', dueAt: 'today at 11pm' },
        { title: 'Book flights', priority: 'HIGH', dueAt: 'in 10 days' },
      ],
    });
    const [rent, flights] = more.results.map((r) => r.id!) as [string, string];

    say('show my high priority tasks due this week');
    const shown = await call<{ tasks: Row[] }>('find_tasks', {
      priorities: ['HIGH', 'URGENT'],
      due: 'this_week',
    });
    // Today is always in this week; ten days from now never is; groceries are not high.
    assert.deepEqual(
      shown.tasks.map((t) => t.id),
      [rent],
    );
    assert.ok(!shown.tasks.some((t) => t.id === flights || t.id === groceries.id));

    say("mark 'buy groceries' as done");
    const found = await call<{ tasks: Row[] }>('find_tasks', { text: 'buy groceries' });
    assert.deepEqual(
      found.tasks.map((t) => t.id),
      [groceries.id],
    );
    const done = await call<Batch>('complete_tasks', { ids: [found.tasks[0]!.id] });
    assert.equal(done.succeeded, 1);
    assert.equal((await task(groceries.id!)).status, 'COMPLETED');

    say('remind me to exercise every Monday');
    const series = await call<{ series: SeriesRow }>('add_series', {
      title: 'Exercise',
      text: 'every Monday',
    });
    assert.match(series.series.rule, /Monday/);
    assert.equal(
      new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: ZONE }).format(
        new Date(series.series.nextOccurrenceAt!),
      ),
      'Monday',
    );

    say('stop my exercise reminder');
    const mine = await call<{ series: SeriesRow[] }>('find_series', {
      text: 'my exercise reminder',
    });
    assert.deepEqual(
      mine.series.map((s) => s.id),
      [series.series.id],
    );
    const stopped = await call<Batch>('stop_series', { ids: [mine.series[0]!.id] });
    assert.equal(stopped.succeeded, 1);
    const state = await graphql<{ series: { state: string } }>(
      /* GraphQL */ `
        query ($id: ID!) {
          series(id: $id) {
            state
          }
        }
      `,
      { id: series.series.id },
    );
    assert.equal(state.series.state, 'STOPPED');

    say('remind me about pay rent in 5 seconds');
    await call<Batch>('add_reminders', { reminders: [{ taskId: rent, at: 'in 5 seconds' }] });
    const fired = await eventually(
      'the rent reminder to fire',
      async () => {
        const r = await chat.callTool({
          name: 'list_notifications',
          arguments: { unreadOnly: true },
        });
        const page = r.structuredContent as {
          notifications: { taskId: string; reminderId: string }[];
        };
        return page.notifications.find((n) => n.taskId === rent);
      },
      45_000,
    );
    await call('list_notifications', { unreadOnly: true });

    say('snooze that for an hour');
    const snoozedAt = Date.now();
    const snoozed = await call<Batch>('snooze_reminders', {
      reminders: [{ taskId: fired.taskId, reminderId: fired.reminderId, for: 'an hour' }],
    });
    const until = Date.parse(snoozed.results[0]!.reminder!.snoozedUntil!);
    assert.ok(Math.abs(until - (snoozedAt + 3_600_000)) < 5_000);
    const after = (await task(rent)).reminders.find((r) => r.id === fired.reminderId);
    assert.equal(after?.state, 'SNOOZED');
  });
});

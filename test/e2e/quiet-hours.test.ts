import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { formatLocalTime } from '../../domain/quiet-hours.js';
import { toLocal } from '../../domain/time/local-date-time.js';
import { testEnv } from '../support/env.js';
import { eventually, gql, subscribeEvents, tokenFor } from '../support/graphql.js';

// Through the real stack: two reminders come due inside the user's quiet hours; neither is
// pushed then; when the window ends (within about a minute: quiet hours have minute precision)
// the owner's client receives one reminder.digest holding both.

const TZ = 'Europe/Berlin';
const EVENTS = /* GraphQL */ `
  subscription {
    taskEvents {
      type
      subject
      taskId
      data
    }
  }
`;
const SETTINGS = /* GraphQL */ `
  mutation ($input: UpdateSettingsInput!) {
    updateSettings(input: $input) {
      quietHours {
        start
        end
      }
    }
  }
`;
const CREATE = /* GraphQL */ `
  mutation ($input: CreateTaskInput!) {
    createTask(input: $input) {
      id
    }
  }
`;
const STATES = /* GraphQL */ `
  query ($id: ID!) {
    task(id: $id) {
      reminders {
        state
        deferredUntil
      }
    }
  }
`;

let sql: postgres.Sql;
before(() => {
  sql = postgres(testEnv.databaseUrl, { max: 2, onnotice: () => {} });
});
after(() => sql.end({ timeout: 2 }));

test('reminders due in quiet hours arrive once, together, as one digest when they end', async () => {
  // Leave at least 15 s before the window's end (the next local minute) for the reminders to
  // come due inside it.
  if (new Date().getSeconds() > 40) await sleep((61 - new Date().getSeconds()) * 1000);
  const local = toLocal(new Date(), TZ);
  const minute = local.hour * 60 + local.minute;
  const quietHours = {
    start: formatLocalTime((minute + 1440 - 5) % 1440),
    end: formatLocalTime((minute + 1) % 1440),
  };
  const windowEnd = new Date(Math.ceil((Date.now() + 1) / 60_000) * 60_000);

  const user = `e2e-quiet-${Date.now().toString(36)}`;
  const token = await tokenFor(user);
  const set = await gql(SETTINGS, { input: { timeZone: TZ, quietHours } }, { token });
  assert.equal(set.body.errors, undefined, JSON.stringify(set.body.errors));
  const sub = await subscribeEvents(token, EVENTS);
  try {
    const ids: string[] = [];
    for (const [title, inMs] of [
      ['Feed the cat', 3_000],
      ['Lock the door', 4_000],
    ] as const) {
      const at = new Date(Date.now() + inMs).toISOString();
      const res = await gql<{ createTask: { id: string } }>(
        CREATE,
        { input: { title, reminders: [{ at }] } },
        { token },
      );
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      ids.push(res.body.data!.createTask.id);
    }

    // Both come due, inside the window: deferred, nothing pushed.
    for (const id of ids) {
      const states = await eventually(`task ${id}'s reminder deferred`, async () => {
        const res = await gql<{ task: { reminders: { state: string; deferredUntil: string }[] } }>(
          STATES,
          { id },
          { token },
        );
        const r = res.body.data?.task.reminders[0];
        return r?.state === 'DEFERRED' ? r : undefined;
      });
      assert.equal(states.deferredUntil, windowEnd.toISOString());
    }
    assert.ok(Date.now() < windowEnd.getTime(), 'deferred before the window ended');
    assert.deepEqual(
      sub.received.filter((m) => JSON.stringify(m).includes('reminder.')),
      [],
      'nothing pushed during quiet hours',
    );

    const digest = await eventually(
      'the digest at the subscriber',
      () =>
        sub.received
          .map((m) => m.taskEvents as { type: string; subject: string; data: unknown })
          .find((e) => e.type === 'reminder.digest'),
      90_000,
    );
    const data = digest.data as { reminders: { taskId: string; title: string }[] };
    assert.deepEqual(
      data.reminders.map((r) => [r.taskId, r.title]),
      [
        [ids[0], 'Feed the cat'],
        [ids[1], 'Lock the door'],
      ],
    );
    await sleep(1_500);
    const types = sub.received.map((m) => (m.taskEvents as { type: string }).type);
    assert.deepEqual(
      types.filter((t) => t.startsWith('reminder.')),
      ['reminder.digest'],
      'one digest, no separate reminder.fired',
    );
    const notes = await sql<{ digestId: string; deliveredAt: Date }[]>`
      SELECT digest_id AS "digestId", delivered_at AS "deliveredAt"
      FROM notifications WHERE user_id = ${user}`;
    assert.deepEqual(
      notes.map((n) => n.digestId),
      [digest.subject, digest.subject],
    );
    for (const n of notes) assert.ok(n.deliveredAt >= windowEnd, 'not before the window ended');
  } finally {
    await sub.close();
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

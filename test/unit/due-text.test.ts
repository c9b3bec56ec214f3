import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkOneDue, resolveDue } from '../../api/tasks/due-text.js';
import { AppError } from '../../domain/errors.js';

const NOW = new Date('2027-03-27T10:00:00+01:00');

describe('dueText in a create or an update', () => {
  test('words become dueAt; a day without a time sets allDay', () => {
    const due = resolveDue({ dueText: 'next Friday' }, 'Europe/Berlin', NOW);
    assert.equal(due.dueAt?.toISOString(), '2027-04-01T22:00:00.000Z');
    assert.equal(due.allDay, true);
    assert.equal(due.dueText, undefined);
  });

  test('a time makes it timed; an allDay the caller gave wins', () => {
    assert.equal(resolveDue({ dueText: 'tomorrow at 5pm' }, 'Europe/Berlin', NOW).allDay, false);
    const kept = resolveDue({ dueText: 'next Friday', allDay: false }, 'Europe/Berlin', NOW);
    assert.equal(kept.allDay, false);
  });

  test('without dueText the fields stay as given', () => {
    const input = { dueAt: null, allDay: true };
    assert.equal(resolveDue(input, 'Europe/Berlin', NOW), input);
  });

  test('an unreadable text is BAD_USER_INPUT on input.dueText', () => {
    assert.throws(
      () => resolveDue({ dueText: 'banana' }, 'Europe/Berlin', NOW),
      (err) => err instanceof AppError && err.problems[0]?.path === 'input.dueText',
    );
  });

  test('dueAt and dueText together (even dueAt null) are refused', () => {
    for (const dueAt of [null, NOW])
      assert.throws(
        () => checkOneDue({ dueAt, dueText: 'tomorrow' }),
        (err) => err instanceof AppError && /either dueAt or dueText/.test(err.message),
      );
    checkOneDue({ dueText: 'tomorrow' });
    checkOneDue({ dueAt: NOW, dueText: null });
  });
});

import { HistoryArgs } from '../../domain/history.js';
import { parseInput } from '../../domain/validation.js';
import type { Resolvers } from '../schema/resolver-types.js';
import { historyConnection } from './history-view.js';

export const historyResolvers: Resolvers = {
  Query: {
    history: (_, args, ctx) => historyConnection(ctx, parseInput(HistoryArgs, args, '')),
  },
  Task: {
    // The task was found for the caller, so its id scopes the history to it.
    history: (t, args, ctx) => historyConnection(ctx, parseInput(HistoryArgs, args, ''), t.id),
  },
};

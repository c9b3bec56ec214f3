import { createSchema } from 'graphql-yoga';
import type { ApiContext } from '../context.js';
import { historyResolvers } from '../history/resolvers.js';
import { notificationResolvers } from '../notifications/resolvers.js';
import { reminderResolvers } from '../reminders/resolvers.js';
import { seriesResolvers } from '../series/resolvers.js';
import { settingsResolvers } from '../settings/resolvers.js';
import { taskResolvers } from '../tasks/resolvers.js';
import { typeDefs } from './sdl-files.js';

export const schema = createSchema<ApiContext>({
  typeDefs,
  resolvers: [
    taskResolvers,
    reminderResolvers,
    seriesResolvers,
    notificationResolvers,
    settingsResolvers,
    historyResolvers,
  ],
});

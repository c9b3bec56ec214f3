import { parseInput } from '../../domain/validation.js';
import type { Resolvers } from '../schema/resolver-types.js';
import {
  listNotificationConnection,
  markNotificationsRead,
  NotificationsArgs,
} from './notifications.js';

export const notificationResolvers: Resolvers = {
  Query: {
    notifications: (_, args, ctx) =>
      listNotificationConnection(ctx.sql, ctx.userId, parseInput(NotificationsArgs, args, '')),
  },
  Mutation: {
    markNotificationsRead: async (_, args, ctx) =>
      (await markNotificationsRead(ctx.sql, ctx.userId, args)).marked,
  },
};

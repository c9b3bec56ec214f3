import { RotateWebhookSecretArgs, UpdateSettingsInput } from '../../domain/user.js';
import { parseInput } from '../../domain/validation.js';
import type { Resolvers } from '../schema/resolver-types.js';
import { readSettings, rotateWebhookSecret, updateSettings } from './settings.js';

export const settingsResolvers: Resolvers = {
  Query: {
    me: (_, __, ctx) => ({ id: ctx.userId }),
  },
  Mutation: {
    updateSettings: (_, args, ctx) =>
      updateSettings(
        ctx.sql,
        ctx.userId,
        parseInput(UpdateSettingsInput, args.input, 'input'),
        ctx.webhooks,
      ),
    rotateWebhookSecret: (_, args, ctx) =>
      rotateWebhookSecret(ctx.sql, ctx.userId, parseInput(RotateWebhookSecretArgs, args, '')),
  },
  User: {
    settings: (_, __, ctx) => readSettings(ctx.sql, ctx.userId),
  },
};

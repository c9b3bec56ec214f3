import { createSchema } from 'graphql-yoga';
import type { ApiContext } from '../context.js';
import { resolvers } from './resolvers.js';
import { typeDefs } from './type-defs.js';

export const schema = createSchema<ApiContext>({ typeDefs, resolvers });

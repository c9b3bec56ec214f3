import { introspectionFromSchema } from 'graphql';
import type { GraphiQLOptions } from 'graphql-yoga';
import { composeClientSchema } from './schema/client-sdl.js';

export { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/** GraphiQL on GET /graphql (development). */
export interface GraphiqlSettings {
  /** A token the page starts with: the header editor's, and the subscriptions' WebSocket's. */
  token?: string;
  /** The sync-service's public WebSocket URL (SYNC_PUBLIC_URL): where subscriptions run. */
  syncUrl?: string;
}

/**
 * What the page is rendered with (@graphql-yoga/render-graphiql inlines GraphiQL's scripts,
 * styles, fonts and workers into the page, so it loads nothing from another host).
 *
 * With a sync URL, the page gets the client schema (the api's with the sync-service's
 * Subscription) instead of introspecting the api, which has no Subscription; subscriptions then
 * go over graphql-ws to the sync-service, queries and mutations still over HTTP to the api. The
 * page's fetcher passes the options' `subscriptionsEndpoint` and `connectionParams` to its
 * WebSocket executor. Those are fixed when the page is rendered: the WebSocket's
 * connection_init carries the configured token, not what is typed in the header editor later.
 */
export function graphiqlOptions({ token, syncUrl }: GraphiqlSettings): GraphiQLOptions {
  const authorization = token ? `Bearer ${token}` : undefined;
  const options: GraphiQLOptions = {
    title: 'Tickler',
    headers: authorization ? JSON.stringify({ Authorization: authorization }) : undefined,
  };
  if (!syncUrl) return options;
  const subscriptions = {
    subscriptionsProtocol: 'WS',
    subscriptionsEndpoint: syncUrl,
    connectionParams: authorization ? { authorization } : {},
    schema: introspectionFromSchema(composeClientSchema()),
  } as const;
  return { ...options, ...subscriptions };
}

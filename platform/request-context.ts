import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestInfo {
  requestId: string;
  /** The W3C trace id from the request's traceparent, when it has one. */
  traceId: string | undefined;
}

/**
 * The current request's ids, for code that is handed no context (GraphQL error masking logs
 * with them). Set once per request by the HTTP handler.
 */
export const requestContext = new AsyncLocalStorage<RequestInfo>();

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;

/** A well-formed traceparent, or undefined (a malformed one is not passed on). */
export const validTraceparent = (value: string | undefined): string | undefined =>
  value && TRACEPARENT.test(value) ? value : undefined;

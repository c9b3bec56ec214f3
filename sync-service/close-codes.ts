// WebSocket close codes the sync service uses, beside graphql-ws's own (4400–4499, 4500).
// What a graphql-ws client does with each decides the choice: it gives up on 4401, and
// reconnects (calling its connectionParams again, so a fresh token can be sent) on the others.

/** connection_init without a valid token. Fatal for the client: sign in again. */
export const CLOSE_UNAUTHORIZED = 4401;

/**
 * The token could not be checked right now (the identity provider's keys are unavailable):
 * WebSocket's own "try again later". graphql-ws clients reconnect with their backoff.
 */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** The token's `exp` passed while the socket was open. The client reconnects with a new one. */
export const CLOSE_TOKEN_EXPIRED = 4403;

/**
 * The client read too slowly and its buffer filled. It reconnects and resumes with
 * `taskEvents(after: <last sequence it saw>)`, losing nothing.
 */
export const CLOSE_SLOW_CONSUMER = 4013;

/**
 * Too many open sockets: for this user (MAX_SOCKETS_PER_USER) or from this address
 * (MAX_SOCKETS_PER_ADDRESS); the reason says which. "4000 + HTTP 429", outside graphql-ws's
 * range. The client retries with its backoff and gets in once one of the others has closed.
 */
export const CLOSE_TOO_MANY_CONNECTIONS = 4029;

// Also sent, by ws and graphql-ws themselves:
// 1009  a message larger than WS_MAX_FRAME_BYTES (ws's maxPayload), before it is read
// 4408  no connection_init within WS_INIT_TIMEOUT_MS (graphql-ws's connectionInitWaitTimeout)

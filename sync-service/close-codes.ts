// WebSocket close codes the sync service uses, beside graphql-ws's own (4400–4499, 4500).
// What a graphql-ws client does with each decides the choice: it gives up on 4401, and
// reconnects (calling its connectionParams again, so a fresh token can be sent) on the others.

/** connection_init without a valid token. Fatal for the client: sign in again. */
export const CLOSE_UNAUTHORIZED = 4401;

/** The token's `exp` passed while the socket was open. The client reconnects with a new one. */
export const CLOSE_TOKEN_EXPIRED = 4403;

/**
 * The client read too slowly and its buffer filled. It reconnects and resumes with
 * `taskEvents(after: <last sequence it saw>)`, losing nothing.
 */
export const CLOSE_SLOW_CONSUMER = 4013;

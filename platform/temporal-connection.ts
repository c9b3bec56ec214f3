import { readFileSync } from 'node:fs';
import { z } from 'zod';

// How a process reaches Temporal: a plain address locally; TLS (a private CA, mTLS) for a
// self-hosted cluster; TLS with an API key for Temporal Cloud. Certificates are files (mounted
// from a Kubernetes Secret by the Helm chart), never values: they are read once at start-up.

const Flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
const File = z.string().min(1).optional();

export const TemporalConnectionConfig = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** TLS to the frontend; implied by an API key or a client certificate. */
  TEMPORAL_TLS: Flag,
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** A CA bundle (PEM) for a server whose certificate the system does not trust. */
  TEMPORAL_TLS_CA_FILE: File,
  /** mTLS: the client certificate and key (PEM), both or neither. */
  TEMPORAL_TLS_CERT_FILE: File,
  TEMPORAL_TLS_KEY_FILE: File,
  /** Temporal Cloud's API key. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
});
export type TemporalConnectionConfig = z.infer<typeof TemporalConnectionConfig>;

export interface TemporalConnectionOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/** Options both the client's Connection and the worker's NativeConnection accept. */
export function temporalConnectionOptions(c: TemporalConnectionConfig): TemporalConnectionOptions {
  if (Boolean(c.TEMPORAL_TLS_CERT_FILE) !== Boolean(c.TEMPORAL_TLS_KEY_FILE))
    throw new Error('TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together');
  const tls =
    c.TEMPORAL_TLS ||
    c.TEMPORAL_API_KEY !== undefined ||
    c.TEMPORAL_TLS_CERT_FILE !== undefined ||
    c.TEMPORAL_TLS_CA_FILE !== undefined;
  if (!tls) return { address: c.TEMPORAL_ADDRESS };
  return {
    address: c.TEMPORAL_ADDRESS,
    tls: {
      ...(c.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME } : {}),
      ...(c.TEMPORAL_TLS_CA_FILE
        ? { serverRootCACertificate: readFileSync(c.TEMPORAL_TLS_CA_FILE) }
        : {}),
      ...(c.TEMPORAL_TLS_CERT_FILE && c.TEMPORAL_TLS_KEY_FILE
        ? {
            clientCertPair: {
              crt: readFileSync(c.TEMPORAL_TLS_CERT_FILE),
              key: readFileSync(c.TEMPORAL_TLS_KEY_FILE),
            },
          }
        : {}),
    },
    ...(c.TEMPORAL_API_KEY ? { apiKey: c.TEMPORAL_API_KEY } : {}),
  };
}

import { connect, type Socket } from 'node:net';

// Just enough of Kafka's wire protocol to knock on a broker as a client without SASL would:
// size-prefixed frames, request header v1 (api key, version, correlation id, client id), and
// three small requests. A library client would hide what the test is about (retries, its own
// handshake); these bytes are exactly what an unauthenticated stranger sends.

export const ApiKey = { metadata: 3, saslHandshake: 17, apiVersions: 18 } as const;

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(bytes.length), bytes]);
}

export function request(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Buffer,
): Buffer {
  const header = Buffer.concat([
    int16(apiKey),
    int16(version),
    int32(correlationId),
    str('tickler-test'),
  ]);
  return Buffer.concat([int32(header.length + body.length), header, body]);
}

/** Metadata v4: every topic (null array), no auto-creation. */
export const metadataBody = (): Buffer => Buffer.concat([int32(-1), Buffer.from([0])]);
/** SaslHandshake v1: the mechanism the client would like to use. */
export const saslHandshakeBody = (mechanism: string): Buffer => str(mechanism);

/** A response frame: its correlation id and the rest of its bytes. */
export interface Frame {
  correlationId: number;
  body: Buffer;
}

/** SaslHandshake's answer: an error code and the mechanisms the listener has enabled. */
export function parseSaslHandshake(body: Buffer): { errorCode: number; mechanisms: string[] } {
  const errorCode = body.readInt16BE(0);
  const count = body.readInt32BE(2);
  const mechanisms: string[] = [];
  let at = 6;
  for (let i = 0; i < Math.min(count, 16); i++) {
    const len = body.readInt16BE(at);
    mechanisms.push(body.subarray(at + 2, at + 2 + len).toString('utf8'));
    at += 2 + len;
  }
  return { errorCode, mechanisms };
}

/**
 * A connection that hands out response frames in order; `next()` resolves to the next frame,
 * or to 'closed' once the broker has closed the connection without sending one, or rejects
 * after `timeoutMs` (a broker that neither answers nor closes).
 */
export interface WireConnection {
  send(frame: Buffer): void;
  next(timeoutMs?: number): Promise<Frame | 'closed'>;
  close(): void;
}

export async function openWire(host: string, port: number): Promise<WireConnection> {
  const socket: Socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  let closed = false;
  const frames: Frame[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      frames.push({ correlationId: buffered.readInt32BE(4), body: buffered.subarray(8, 4 + size) });
      buffered = buffered.subarray(4 + size);
    }
    wake?.();
  });
  // A reset is how some refusals arrive; for the client it is the same as a close.
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  return {
    send: (frame) => socket.write(frame),
    async next(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length === 0 && !closed) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no answer and no close within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return frames.shift() ?? 'closed';
    },
    close: () => socket.destroy(),
  };
}

import { cliFatal } from '../platform/lifecycle.js';
import {
  ApiKey,
  metadataBody,
  openWire,
  parseSaslHandshake,
  request,
  saslHandshakeBody,
} from '../test/support/kafka-wire.js';

// What a client without credentials gets from a Kafka broker (issue 11's "Kafka runs without
// authentication"):
//   npx tsx scripts/kafka-probe.ts 127.0.0.1:19092
// One line per request: ApiVersions, Metadata (every topic) and SaslHandshake with PLAIN, each
// sent without SASL, and what came back: an answer (for Metadata, the topics it names), or the
// broker closing the connection.

/** The topic names in a Metadata v4 answer (the bytes after the correlation id). */
function topicNames(body: Buffer): string[] {
  let at = 4; // throttle_time_ms
  const int16 = () => ((at += 2), body.readInt16BE(at - 2));
  const int32 = () => ((at += 4), body.readInt32BE(at - 4));
  const str = () => {
    const len = int16();
    if (len < 0) return null;
    at += len;
    return body.subarray(at - len, at).toString('utf8');
  };
  for (let brokers = int32(), i = 0; i < brokers; i++) {
    int32(); // node id
    str(); // host
    int32(); // port
    str(); // rack
  }
  str(); // cluster id
  int32(); // controller id
  const names: string[] = [];
  for (let topics = int32(), i = 0; i < topics; i++) {
    int16(); // error code
    names.push(str() ?? '?');
    at += 1; // is_internal
    for (let parts = int32(), p = 0; p < parts; p++) {
      at += 2 + 4 + 4; // error code, partition, leader
      at += 4 * int32(); // replicas
      at += 4 * int32(); // isr
      at += 4 * int32(); // offline replicas
    }
  }
  return names;
}

async function main(): Promise<void> {
  const target = process.argv[2] ?? '127.0.0.1:19092';
  const [host, port] = target.split(':');
  const ask = async (what: string, frame: Buffer, describe: (body: Buffer) => string) => {
    const wire = await openWire(host!, Number(port));
    const t0 = performance.now();
    try {
      // ApiVersions first, as every client does; then the request itself.
      wire.send(request(ApiKey.apiVersions, 0, 1, Buffer.alloc(0)));
      const versions = await wire.next();
      if (versions === 'closed') return console.log(`${what}: closed before ApiVersions`);
      wire.send(frame);
      const answer = await wire.next();
      const ms = (performance.now() - t0).toFixed(0);
      console.log(
        answer === 'closed'
          ? `${what}: connection closed by the broker, no answer (${ms} ms)`
          : `${what}: answered in ${ms} ms: ${describe(answer.body)}`,
      );
    } finally {
      wire.close();
    }
  };
  console.log(`kafka at ${target}, no credentials:`);
  await ask('Metadata (all topics)', request(ApiKey.metadata, 4, 2, metadataBody()), (body) => {
    const names = topicNames(body);
    return `${names.length} topics: ${names.sort().join(', ')}`;
  });
  await ask(
    'SaslHandshake PLAIN',
    request(ApiKey.saslHandshake, 1, 3, saslHandshakeBody('PLAIN')),
    (body) => {
      const { errorCode, mechanisms } = parseSaslHandshake(body);
      return `error code ${errorCode}, enabled mechanisms [${mechanisms.join(', ')}]`;
    },
  );
}

main().catch(cliFatal);

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Destination, ResolvedAddress } from './webhook-destination.js';

export interface PinnedPost {
  headers: Record<string, string>;
  body: string;
  /** The whole exchange: connect, send, status and the (bounded) response read. */
  timeoutMs: number;
  /** Read and dropped at most this much of the response body; more closes the connection. */
  maxResponseBytes: number;
}

/**
 * The connection's only name lookup answers with the addresses that were checked: a DNS server
 * that answers differently the second time (rebinding) is never asked again. TLS still verifies
 * the certificate against the URL's host name (SNI too), since the request keeps that host.
 */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const want = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const fit = addresses.filter((a) => !want || a.family === want);
    if (fit.length === 0) {
      const err: NodeJS.ErrnoException = new Error('no checked address of that family');
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
    } else if (options.all) callback(null, fit);
    else callback(null, fit[0]!.address, fit[0]!.family);
  };
}

/**
 * POSTs to a checked destination and answers the HTTP status. Redirects are not followed (node's
 * client never does): a 3xx comes back as a status like any other. No agent, so no connection is
 * reused for another destination.
 */
export function postPinned(dest: Destination, post: PinnedPost): Promise<number> {
  const request = dest.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      dest.url,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': Buffer.byteLength(post.body) },
        lookup: pinnedLookup(dest.addresses),
        agent: false,
        signal: AbortSignal.timeout(post.timeoutMs),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > post.maxResponseBytes) res.destroy();
        });
        // The status is the answer; the body only has to be read off the wire (or cut off).
        res.once('close', () => resolve(status));
        res.once('error', () => resolve(status));
      },
    );
    req.once('error', (err: Error) =>
      reject(
        err.name === 'AbortError' || err.name === 'TimeoutError'
          ? new Error(`no answer within ${post.timeoutMs} ms`)
          : err,
      ),
    );
    req.end(post.body);
  });
}

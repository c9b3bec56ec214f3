import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { isAllowedAddress, refusedRange } from './ip-ranges.js';

/** Where webhooks may go. Production is strict: https, public addresses only. */
export interface WebhookPolicy {
  /** http:// URLs accepted (development). */
  allowHttp: boolean;
  /** Loopback destinations accepted: for the tests' loopback receiver only. */
  allowLoopback: boolean;
}
export const STRICT_WEBHOOK_POLICY: WebhookPolicy = { allowHttp: false, allowLoopback: false };

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

/** The api (save time) and the worker (send time) read the same two settings. */
export const WebhookPolicyConfig = z.object({
  /** Development: http:// webhook URLs are accepted. Default false (https only). */
  WEBHOOK_ALLOW_HTTP: flag,
  /** Tests only: webhooks may go to loopback (the tests' receiver). Default false. */
  WEBHOOK_ALLOW_LOOPBACK: flag,
});
export type WebhookPolicyConfig = z.infer<typeof WebhookPolicyConfig>;

export const webhookPolicyOf = (c: WebhookPolicyConfig): WebhookPolicy => ({
  allowHttp: c.WEBHOOK_ALLOW_HTTP,
  allowLoopback: c.WEBHOOK_ALLOW_LOOPBACK,
});

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Every address of `hostname`; [] when it has none (NXDOMAIN, no A/AAAA). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

/** The policy says no; retrying will not change that. The message never holds the whole URL. */
export class DestinationRefused extends Error {
  override readonly name = 'DestinationRefused';
}
/** The host has no address (`noAddress`) or DNS did not answer; a later attempt may succeed. */
export class DestinationUnresolved extends Error {
  override readonly name = 'DestinationUnresolved';
  constructor(
    message: string,
    readonly noAddress: boolean,
  ) {
    super(message);
  }
}

/** A checked destination: the connection must go to one of `addresses`, and nowhere else. */
export interface Destination {
  url: URL;
  addresses: ResolvedAddress[];
}

/**
 * DNS through c-ares (not getaddrinfo): a lookup that hangs holds no libuv thread, and both the
 * per-try timeout and the number of tries are bounded.
 */
export function dnsResolver({ timeoutMs = 2000, tries = 2 } = {}): ResolveHost {
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  const none = (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOTFOUND' || err.code === 'ENODATA') return [];
    throw new DestinationUnresolved(`DNS did not answer (${err.code ?? 'error'})`, false);
  };
  return async (hostname) => {
    const [v4, v6] = await Promise.all([
      resolver.resolve4(hostname).catch(none),
      resolver.resolve6(hostname).catch(none),
    ]);
    return [
      ...v4.map((address) => ({ address, family: 4 as const })),
      ...v6.map((address) => ({ address, family: 6 as const })),
    ];
  };
}

const describe: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address (10/8, 172.16/12, 192.168/16)',
  linkLocal: 'a link-local address (169.254/16, fe80::/10: cloud metadata lives here)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64/10)',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address (0.0.0.0/8, ::)',
  broadcast: 'the broadcast address',
  reserved: 'a reserved or documentation address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
};

const what = (range: string): string => {
  const nat64 = /^NAT64 of (.+)$/.exec(range);
  if (nat64) return `a NAT64 address embedding ${what(nat64[1]!)}`;
  return describe[range] ?? `a ${range} address`;
};

/** An `origin` safe for messages and logs: no user info, path or query (they may hold tokens). */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'an unparseable URL';
  }
}

/**
 * The one destination check, used when a webhook URL is saved (api) and again when it is sent
 * (worker): the URL parsed by the WHATWG parser (so 2130706433, 0x7f.1 and 0177.0.0.1 are all
 * 127.0.0.1 by now), https unless the policy allows http, and every address the host resolves
 * to public (one bad address refuses the URL: DNS answers in any order).
 */
export function createWebhookDestinations({
  policy,
  resolve = dnsResolver(),
}: {
  policy: WebhookPolicy;
  resolve?: ResolveHost;
}) {
  async function addressesOf(hostname: string): Promise<ResolvedAddress[]> {
    const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const family = isIP(literal);
    if (family === 4 || family === 6) return [{ address: literal, family }];
    // RFC 6761: localhost names are loopback whatever a DNS server says.
    const name = hostname.replace(/\.$/, '');
    if (name === 'localhost' || name.endsWith('.localhost'))
      return [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ];
    return resolve(hostname);
  }

  return {
    policy,
    async check(raw: string): Promise<Destination> {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new DestinationRefused('is not a URL');
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp))
        throw new DestinationRefused(policy.allowHttp ? 'must be http(s)' : 'must be https');
      const addresses = await addressesOf(url.hostname);
      if (addresses.length === 0) throw new DestinationUnresolved('host has no address', true);
      for (const { address } of addresses) {
        if (isAllowedAddress(address, policy.allowLoopback)) continue;
        const verb = isIP(url.hostname.replace(/^\[|\]$/g, '')) ? 'is' : 'resolves to';
        throw new DestinationRefused(
          `${verb} ${what(refusedRange(address) ?? 'refused')}: webhooks go to public addresses only`,
        );
      }
      return { url, addresses };
    },
  };
}
export type WebhookDestinations = ReturnType<typeof createWebhookDestinations>;

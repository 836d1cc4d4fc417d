/**
 * The client-IP guard of the HTTP adapters: a framework that trusts every proxy hop lets
 * each client pick its own `request.ip` with `X-Forwarded-For`, which voids the
 * verifier's per-IP budgets. The adapters refuse that setup (while IP budgets are on and
 * the app passes no `clientIp` resolver) with the message built here. The framework's
 * trust is probed, not parsed: whatever its form (`true`, a function, `0.0.0.0/0`), a
 * setting that takes a public peer's forwarded chain down to its leftmost entry trusts
 * every hop. @internal
 * @module
 */
import type { Verifier } from '../verifier/types';

/** A framework's trust function, as proxy-addr uses it: is the `hop`-th address a trusted proxy? */
export type TrustFunction = (address: string, hop: number) => boolean;

/** The IP a framework derives from a peer address and an `X-Forwarded-For` header. */
export type IpOf = (peer: string, forwardedFor: string) => string | undefined;

/** Documentation addresses (RFC 5737): a public peer and a long forwarded chain. */
const PROBE_PEER = '203.0.113.7';
const PROBE_CHAIN = [
  '198.51.100.1',
  '192.0.2.2',
  '198.51.100.3',
  '192.0.2.4',
  '198.51.100.5',
  '192.0.2.6',
  '198.51.100.7',
  '192.0.2.8',
];

/**
 * Whether `ipOf` believes a public peer's whole 8-hop forwarded chain (no real proxy
 * setup has a public peer and 9 trusted hops: this is trust-all).
 */
export function trustsEveryHop(ipOf: IpOf): boolean {
  return ipOf(PROBE_PEER, PROBE_CHAIN.join(', ')) === PROBE_CHAIN[0];
}

/** proxy-addr's walk (Express's `req.ip`): from the peer leftwards while each hop is trusted. */
export function ipThrough(trust: TrustFunction): IpOf {
  return (peer, forwardedFor) => {
    const addrs = [
      peer,
      ...forwardedFor
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .reverse(),
    ];
    let ip = addrs[0];
    for (let i = 0; i < addrs.length - 1; i += 1) {
      if (!trust(addrs[i] as string, i)) break;
      ip = addrs[i + 1];
    }
    return ip;
  };
}

/**
 * Whether the client-IP guard applies: the verifier has per-IP budgets (a verifier-like
 * object that does not say counts as having them) and the app resolves no IP itself.
 */
export function ipGuardNeeded(verifier: Verifier, clientIp: unknown): boolean {
  if (clientIp !== undefined) return false;
  const budgets = (verifier as Partial<Verifier>).abuse?.requesterBudgets;
  return !Array.isArray(budgets) || budgets.includes('ip');
}

const WHY =
  "so any client picks its own IP with an X-Forwarded-For header and the verifier's " +
  'per-IP budgets (abuse.requesters.ip) stop counting.';

/** The refusal message for `framework`. */
export function trustAllMessage(framework: 'express' | 'fastify'): string {
  const setting =
    framework === 'express'
      ? "Express trusts every proxy hop (app.set('trust proxy', true) or a function that always says yes)"
      : 'Fastify trusts every proxy hop (Fastify({ trustProxy: true }) or a function that always says yes)';
  const fix =
    framework === 'express'
      ? "trust only your proxies: app.set('trust proxy', 1) (the number of proxies in front " +
        "of the app) or their addresses (app.set('trust proxy', 'loopback') / '10.0.0.0/8')"
      : "trust only your proxies' addresses: Fastify({ trustProxy: '10.0.0.1' }) (an IP, a " +
        "CIDR such as '10.0.0.0/8', a list, or a function that checks the address)";
  return (
    `phoneproof: ${setting}, ${WHY} Fix: ${fix}; or pass your own \`clientIp: (request) => ip\` ` +
    'resolver to the adapter; or turn per-IP budgets off with ' +
    '`abuse: { requesters: { ip: false } }`. See docs/' +
    `${framework}.md ("Behind a proxy").`
  );
}

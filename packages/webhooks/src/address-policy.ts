import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a customer-supplied URL may reach: the one outbound-URL policy of the
 * whole system (TwiML fetches, action URLs, status callbacks, <Play> audio). Customer URLs
 * are untrusted (SSRF): by default every private, loopback, link-local (cloud metadata
 * 169.254.169.254 and fd00:ec2::254 included), carrier-grade NAT, documentation, multicast
 * and reserved range is refused, and so is every IPv6 form that embeds an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4), since those reach IPv4 space around the
 * IPv4 rules. The operator allow-list (local development and tests) names CIDRs
 * (`allowPrivateNetworks: ['127.0.0.1/32']`) and host names (`allowHosts: ['localhost']`).
 */

/** Ranges refused unless allow-listed (IANA special-purpose registries, RFC 6890). */
export const BLOCKED_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, cloud metadata
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  '::/96', // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  '::ffff:0:0:0/96', // IPv4-translated (SIIT)
  '64:ff9b::/96', // NAT64: reaches IPv4 space, private ranges included
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds arbitrary IPv4 addresses
  'fc00::/7', // unique local (AWS metadata fd00:ec2::254 included)
  'fe80::/10', // link-local
  'ff00::/8', // multicast
];

interface Cidr {
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a single host). Throws on anything else. */
export function parseCidr(cidr: string): Cidr {
  const [network = '', prefixText] = cidr.trim().split('/');
  const version = isIP(network);
  if (version === 0) throw new RangeError(`invalid CIDR ${JSON.stringify(cidr)}`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new RangeError(`invalid CIDR prefix in ${JSON.stringify(cidr)}`);
  }
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const { network, prefix, family } = parseCidr(text);
    list.addSubnet(network, prefix, family);
  }
  return list;
}

/**
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`, also written `::ffff:7f00:1`). BlockList checks these
 * against IPv4 rules and plain IPv4 against `::ffff:0:0/96`, so this range cannot sit in
 * BLOCKED_RANGES: isAllowed refuses it separately, unless the IPv4 address is allow-listed.
 */
const IPV4_MAPPED = blockListOf(['::ffff:0:0/96']);

/** An IP address in canonical form (`[::1]` unbracketed), or null for anything else. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: 'ipv4' };
  if (version === 6) return { address: bare, family: 'ipv6' };
  return null;
}

export interface AddressPolicyOptions {
  /** CIDRs reachable even though they are private/loopback/link-local. */
  allowPrivateNetworks?: readonly string[];
  /**
   * Host names whose resolved addresses are not checked (development: `localhost`, a
   * docker-compose service name). Matched exactly, case-insensitively.
   */
  allowHosts?: readonly string[];
}

export class AddressPolicy {
  private readonly blocked = blockListOf(BLOCKED_RANGES);
  private readonly allowed: BlockList;
  private readonly allowedHosts: ReadonlySet<string>;

  constructor(options: AddressPolicyOptions = {}) {
    this.allowed = blockListOf(options.allowPrivateNetworks ?? []);
    this.allowedHosts = new Set((options.allowHosts ?? []).map((host) => host.toLowerCase()));
  }

  /** True when a connection to this IP address is permitted. Non-IP input is refused. */
  isAllowed(address: string): boolean {
    const ip = normalise(address);
    if (!ip) return false;
    if (this.allowed.check(ip.address, ip.family)) return true;
    if (ip.family === 'ipv6' && IPV4_MAPPED.check(ip.address, 'ipv6')) return false;
    return !this.blocked.check(ip.address, ip.family);
  }

  /** True when the operator allow-listed this host name (its addresses are then trusted). */
  isHostAllowListed(hostname: string): boolean {
    return this.allowedHosts.has(hostname.toLowerCase());
  }
}

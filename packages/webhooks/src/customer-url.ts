import { isIP } from 'node:net';
import { type AddressPolicy } from './address-policy';
import { FetchError, parseFetchUrl } from './safe-http';

/**
 * Why a customer URL cannot be accepted when it is set (a REST parameter, a stored
 * resource), or null when it can: an http(s) URL whose host is not a literal private,
 * loopback, link-local or reserved address (the AddressPolicy decides, allow-list
 * included) and not `localhost`. Host names are resolved, and checked again, at fetch
 * time (safeFetch), since DNS answers change.
 */
export function customerUrlProblem(raw: string, policy: AddressPolicy): string | null {
  let url: URL;
  try {
    url = parseFetchUrl(raw);
  } catch (error) {
    return error instanceof FetchError ? error.message : 'URL is not valid';
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0) {
    return policy.isAllowed(host)
      ? null
      : `${host} is a private or reserved address and is not allowed`;
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if ((name === 'localhost' || name.endsWith('.localhost')) && !policy.isHostAllowListed(name)) {
    return `${host} is a loopback host and is not allowed`;
  }
  return null;
}

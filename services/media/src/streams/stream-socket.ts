import { type LookupFunction } from 'node:net';
import { ParleyError } from '@parley/contracts';
import {
  type AddressPolicy,
  type HostResolver,
  redactUrl,
  resolveAllowed,
  systemResolver,
} from '@parley/webhooks';
import WebSocket from 'ws';

export interface OpenSocketOptions {
  policy: AddressPolicy;
  /** The handshake (DNS, TCP, TLS, HTTP upgrade) must finish within this. */
  handshakeTimeoutMs: number;
  resolve?: HostResolver;
}

/** Largest message accepted from a stream's server (10 s of audio is ~110 KB). */
const MAX_SERVER_MESSAGE_BYTES = 1024 * 1024;

/** Parses a `<Stream url>`: ws or wss with a host, else 31920 with what is wrong. */
export function parseStreamUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ParleyError(31920, 'Stream url is not a valid URL');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new ParleyError(31920, `Stream url must be ws:// or wss://, not ${url.protocol}`);
  }
  if (!url.hostname) throw new ParleyError(31920, 'Stream url has no host');
  return url;
}

/**
 * Opens the WebSocket of a Media Stream to a customer's (untrusted) URL: the host is
 * resolved and every address checked against the AddressPolicy, then the connection is
 * pinned to the checked address (no second lookup: DNS rebinding cannot move it). Any
 * failure, the timeout included, is a 31920 handshake error.
 */
export async function openStreamSocket(
  raw: string,
  options: OpenSocketOptions,
): Promise<WebSocket> {
  const url = parseStreamUrl(raw);
  const deadline = AbortSignal.timeout(options.handshakeTimeoutMs);
  let target;
  try {
    target = await resolveAllowed(url, options.policy, options.resolve ?? systemResolver, deadline);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ParleyError(31920, `Stream ${redactUrl(url)}: ${why}`);
  }
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const socket = new WebSocket(url, {
    handshakeTimeout: options.handshakeTimeoutMs,
    lookup: pinned,
    maxPayload: MAX_SERVER_MESSAGE_BYTES,
    perMessageDeflate: false,
    followRedirects: false,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    const fail = (why: string) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      reject(new ParleyError(31920, `Stream ${redactUrl(url)}: ${why}`));
    };
    socket.once('open', () => {
      socket.removeAllListeners();
      resolve(socket);
    });
    socket.once('unexpected-response', (_req, res) =>
      fail(`the server answered HTTP ${res.statusCode} instead of upgrading`),
    );
    socket.once('error', (error) => fail(error.message));
  });
}

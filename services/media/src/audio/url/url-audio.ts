import { type IncomingHttpHeaders } from 'node:http';
import { ParleyError } from '@parley/contracts';
import { AudioDecodeError, decodeAudioFile } from '../audio-file';
import { type CachedPcm, PcmCache } from '../pcm-cache';
import {
  AddressPolicy,
  FetchError,
  type HostResolver,
  parseFetchUrl,
  redactUrl,
  safeFetch,
} from '@parley/webhooks';

/**
 * `<Play>` audio from customer URLs: fetched with SSRF protection, decoded to 48 kHz mono
 * PCM, cached by URL. Cache-Control `max-age` sets freshness (`no-store` disables caching,
 * `no-cache` revalidates every time); a stale entry with an ETag or Last-Modified is
 * revalidated with a conditional GET, so a 304 reuses the decoded audio. Concurrent loads
 * of one URL share a single fetch.
 */

export interface UrlAudioLoaderOptions {
  /** CIDRs allowed even though private/loopback (e.g. `['127.0.0.1/32']` in dev and tests). */
  allowPrivateNetworks?: readonly string[];
  cache?: PcmCache;
  /** Largest file fetched (default 50 MiB). */
  maxBytes?: number;
  /** Longest audio accepted after decoding (default 600 s). */
  maxDurationSec?: number;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxRedirects?: number;
  /** Freshness when the response says nothing (no Cache-Control max-age, no Expires). */
  defaultTtlMs?: number;
  resolve?: HostResolver;
  now?: () => number;
}

export interface LoadOptions {
  signal?: AbortSignal;
}

export class UrlAudioLoader {
  readonly cache: PcmCache;
  private readonly policy: AddressPolicy;
  private readonly inflight = new Map<string, Promise<Int16Array>>();
  private readonly now: () => number;

  constructor(private readonly options: UrlAudioLoaderOptions = {}) {
    this.cache = options.cache ?? new PcmCache();
    this.policy = new AddressPolicy({
      allowPrivateNetworks: options.allowPrivateNetworks ?? [],
    });
    this.now = options.now ?? Date.now;
  }

  /** 48 kHz mono PCM of the file at `url` (read-only: it may be shared through the cache). */
  async load(url: string, options: LoadOptions = {}): Promise<Int16Array> {
    const key = parseFetchUrl(url).href;
    let shared = this.inflight.get(key);
    if (!shared) {
      shared = this.fetchAndDecode(key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, shared);
    }
    // The shared load goes on for other callers when this one aborts.
    return abortable(shared, options.signal);
  }

  private async fetchAndDecode(key: string): Promise<Int16Array> {
    const cached = this.cache.get(`url:${key}`);
    if (cached && cached.expiresAt > this.now()) return cached.pcm;

    const conditional: Record<string, string> = {};
    if (cached?.etag) conditional['if-none-match'] = cached.etag;
    if (cached?.lastModified) conditional['if-modified-since'] = cached.lastModified;

    let response;
    try {
      response = await safeFetch(key, {
        policy: this.policy,
        headers: conditional,
        ...(this.options.connectTimeoutMs !== undefined
          ? { connectTimeoutMs: this.options.connectTimeoutMs }
          : {}),
        ...(this.options.totalTimeoutMs !== undefined
          ? { totalTimeoutMs: this.options.totalTimeoutMs }
          : {}),
        ...(this.options.maxBytes !== undefined ? { maxBytes: this.options.maxBytes } : {}),
        ...(this.options.maxRedirects !== undefined
          ? { maxRedirects: this.options.maxRedirects }
          : {}),
        ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
      });
    } catch (error) {
      // The origin is unreachable: a stale copy beats failing the call.
      if (cached && error instanceof FetchError && error.code === 11205) return cached.pcm;
      throw error;
    }

    if (response.status === 304 && cached) {
      this.store(key, cached.pcm, response.headers, cached);
      return cached.pcm;
    }
    let pcm: Int16Array;
    try {
      pcm = await decodeAudioFile(response.body, {
        maxDurationSec: this.options.maxDurationSec ?? 600,
      });
    } catch (error) {
      if (error instanceof AudioDecodeError) {
        const contentType = response.headers['content-type'] ?? 'none';
        if (error.reason === 'too-long') {
          throw new ParleyError(11200, `${redactUrl(new URL(key))}: ${error.message}`, {
            cause: error,
          });
        }
        throw new ParleyError(
          12300,
          `${redactUrl(new URL(key))} is not playable audio (Content-Type ${contentType}): ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    this.store(key, pcm, response.headers, undefined);
    return pcm;
  }

  private store(
    key: string,
    pcm: Int16Array,
    headers: IncomingHttpHeaders,
    previous: CachedPcm | undefined,
  ): void {
    const freshness = freshnessOf(headers, this.now(), this.options.defaultTtlMs ?? 300_000);
    if (freshness === null) {
      this.cache.delete(`url:${key}`);
      return;
    }
    const etag = headerValue(headers.etag) ?? previous?.etag;
    const lastModified = headerValue(headers['last-modified']) ?? previous?.lastModified;
    this.cache.set(`url:${key}`, {
      pcm,
      expiresAt: freshness,
      ...(etag ? { etag } : {}),
      ...(lastModified ? { lastModified } : {}),
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * When a response stops being fresh (epoch ms), or null when it must not be stored.
 * Only the parts of RFC 9111 that matter for prompt files: no-store, no-cache, max-age
 * (s-maxage is for shared caches, which this is not), then Expires, then a default.
 */
export function freshnessOf(
  headers: IncomingHttpHeaders,
  now: number,
  defaultTtlMs: number,
): number | null {
  const cacheControl = (headerValue(headers['cache-control']) ?? '').toLowerCase();
  const directives = new Map<string, string>();
  for (const part of cacheControl.split(',')) {
    const [name = '', value = ''] = part.trim().split('=');
    if (name) directives.set(name.trim(), value.trim().replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store')) return null;
  if (directives.has('no-cache')) return now;
  const maxAge = directives.get('max-age');
  if (maxAge !== undefined && /^\d+$/.test(maxAge)) return now + Number(maxAge) * 1000;
  const expires = headerValue(headers.expires);
  if (expires) {
    const at = Date.parse(expires);
    return Number.isNaN(at) ? now : at;
  }
  return now + defaultTtlMs;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

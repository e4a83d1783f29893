/**
 * Decoded prompts (48 kHz mono PCM) kept in memory so a looped or repeated `<Play>` or
 * `<Say>` is fetched or synthesised once. Least-recently-used eviction, bounded by bytes.
 */

export interface CachedPcm {
  pcm: Int16Array;
  /** Epoch ms after which the entry must be revalidated (Infinity: never). */
  expiresAt: number;
  /** HTTP validators for conditional revalidation. */
  etag?: string;
  lastModified?: string;
}

export interface PcmCacheOptions {
  /** Upper bound of the PCM bytes held (default 64 MiB, about 11.6 minutes of audio). */
  maxBytes?: number;
}

export class PcmCache {
  readonly maxBytes: number;
  private readonly entries = new Map<string, CachedPcm>();
  private bytes = 0;

  constructor(options: PcmCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry (fresh or stale: check `expiresAt`), marked as most recently used. */
  get(key: string): CachedPcm | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Stores an entry, evicting the least recently used ones; too-large entries are not kept. */
  set(key: string, entry: CachedPcm): boolean {
    this.delete(key);
    const size = entry.pcm.byteLength;
    if (size > this.maxBytes) return false;
    while (this.bytes + size > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, entry);
    this.bytes += size;
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.bytes -= entry.pcm.byteLength;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

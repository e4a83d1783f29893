import { PcmCache } from './pcm-cache';

const entry = (samples: number) => ({ pcm: new Int16Array(samples), expiresAt: Infinity });

describe('PcmCache', () => {
  it('evicts the least recently used entries to stay within its byte budget', () => {
    const cache = new PcmCache({ maxBytes: 1000 });
    cache.set('a', entry(200)); // 400 bytes
    cache.set('b', entry(200));
    cache.get('a'); // a is now the most recent
    cache.set('c', entry(200)); // 1200 > 1000: b goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.sizeBytes).toBe(800);
    expect(cache.size).toBe(2);
  });

  it('does not keep an entry larger than the whole budget', () => {
    const cache = new PcmCache({ maxBytes: 100 });
    cache.set('small', entry(10));
    expect(cache.set('huge', entry(1000))).toBe(false);
    expect(cache.get('small')).toBeDefined();
    expect(cache.sizeBytes).toBe(20);
  });

  it('replaces an entry under the same key and accounts bytes correctly', () => {
    const cache = new PcmCache({ maxBytes: 1000 });
    cache.set('a', entry(100));
    cache.set('a', entry(50));
    expect(cache.sizeBytes).toBe(100);
    cache.delete('a');
    cache.delete('a');
    expect(cache.sizeBytes).toBe(0);
  });
});

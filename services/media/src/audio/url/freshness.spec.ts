import { freshnessOf } from './url-audio';

describe('freshnessOf (HTTP caching of prompt files)', () => {
  const now = 1_000_000;
  it('honours max-age, no-cache and no-store', () => {
    expect(freshnessOf({ 'cache-control': 'public, max-age=60' }, now, 5)).toBe(now + 60_000);
    expect(freshnessOf({ 'cache-control': 'no-cache' }, now, 5)).toBe(now);
    expect(freshnessOf({ 'cache-control': 'max-age=60, no-store' }, now, 5)).toBeNull();
  });

  it('falls back to Expires, then to the default', () => {
    const expires = new Date(now + 42_000).toUTCString();
    expect(freshnessOf({ expires }, now, 5)).toBe(Math.floor((now + 42_000) / 1000) * 1000);
    expect(freshnessOf({ expires: 'garbage' }, now, 5)).toBe(now);
    expect(freshnessOf({}, now, 300_000)).toBe(now + 300_000);
    expect(freshnessOf({ 'cache-control': 'max-age=abc' }, now, 7)).toBe(now + 7);
  });
});

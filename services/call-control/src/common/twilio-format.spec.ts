import { iso8601, rfc2822 } from './twilio-format';

describe('Twilio date formats', () => {
  it('writes RFC 2822 dates exactly as Twilio does', () => {
    expect(rfc2822(new Date('2010-08-31T20:36:28Z'))).toBe('Tue, 31 Aug 2010 20:36:28 +0000');
    expect(rfc2822(new Date('2024-02-05T03:04:05.678Z'))).toBe('Mon, 05 Feb 2024 03:04:05 +0000');
    expect(rfc2822(null)).toBeNull();
  });

  it('writes ISO 8601 without milliseconds for v2 resources', () => {
    expect(iso8601(new Date('2024-11-07T21:28:38.123Z'))).toBe('2024-11-07T21:28:38Z');
    expect(iso8601(undefined)).toBeNull();
  });
});

import { credentialKind, parseBasicAuth } from './basic-auth';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const AC = 'AC' + 'a'.repeat(32);
const SK = 'SK' + 'b'.repeat(32);

describe('HTTP Basic auth', () => {
  it('reads username and password, the password may hold colons', () => {
    expect(parseBasicAuth(basic(`${AC}:token`))).toEqual({ username: AC, password: 'token' });
    expect(parseBasicAuth(basic(`${SK}:se:cr:et`))).toEqual({ username: SK, password: 'se:cr:et' });
    expect(parseBasicAuth(`basic   ${Buffer.from('u:p').toString('base64')}`)).toEqual({
      username: 'u',
      password: 'p',
    });
  });

  it.each([
    undefined,
    '',
    'Bearer abc',
    'Basic',
    'Basic !!!',
    basic('no-colon'),
    basic(':password-only'),
    basic('user-only:'),
    basic(`${'u'.repeat(65)}:p`),
  ])('rejects %p', (header) => {
    expect(parseBasicAuth(header)).toBeNull();
  });

  it('rejects repeated headers', () => {
    expect(parseBasicAuth([basic('a:b'), basic('c:d')])).toBeNull();
  });

  it('tells account sids from API key sids', () => {
    expect(credentialKind(AC)).toBe('account');
    expect(credentialKind(SK)).toBe('api-key');
    expect(credentialKind('AC' + 'A'.repeat(32))).toBeNull();
    expect(credentialKind('someone')).toBeNull();
  });
});

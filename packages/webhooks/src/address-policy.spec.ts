import { AddressPolicy, parseCidr } from './address-policy';

describe('AddressPolicy', () => {
  const strict = new AddressPolicy();

  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '127.8.8.8',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    '::ffff:8.8.8.8',
    '::7f00:1',
    '::a9fe:a9fe',
    '::ffff:0:a9fe:a9fe',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    'not-an-ip',
  ])('refuses %s by default', (address) => {
    expect(strict.isAllowed(address)).toBe(false);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111', '[2001:4860::8888]'])(
    'allows public %s',
    (address) => {
      expect(strict.isAllowed(address)).toBe(true);
    },
  );

  it('allows allow-listed private networks and nothing more', () => {
    const dev = new AddressPolicy({
      allowPrivateNetworks: ['127.0.0.1/32', '10.20.0.0/16', '::1'],
    });
    expect(dev.isAllowed('127.0.0.1')).toBe(true);
    expect(dev.isAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(dev.isAllowed('::1')).toBe(true);
    expect(dev.isAllowed('10.20.3.4')).toBe(true);
    expect(dev.isAllowed('127.0.0.2')).toBe(false);
    expect(dev.isAllowed('10.21.0.1')).toBe(false);
    expect(dev.isAllowed('169.254.169.254')).toBe(false);
  });

  it('trusts allow-listed host names, case-insensitively, and only those', () => {
    const dev = new AddressPolicy({ allowHosts: ['LocalHost', 'twiml.internal'] });
    expect(dev.isHostAllowListed('localhost')).toBe(true);
    expect(dev.isHostAllowListed('TWIML.internal')).toBe(true);
    expect(dev.isHostAllowListed('localhost.example.com')).toBe(false);
    expect(strict.isHostAllowListed('localhost')).toBe(false);
  });

  it('rejects malformed CIDRs', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ network: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(() => parseCidr('10.0.0.0/33')).toThrow(RangeError);
    expect(() => parseCidr('example.com/8')).toThrow(RangeError);
    expect(() => new AddressPolicy({ allowPrivateNetworks: ['nope'] })).toThrow(RangeError);
  });
});

import { AddressPolicy } from './address-policy';
import { customerUrlProblem } from './customer-url';

describe('customerUrlProblem (a customer URL when it is set)', () => {
  const strict = new AddressPolicy();

  it.each([
    'https://example.com/voice.xml',
    'http://8.8.8.8/twiml',
    'https://[2606:4700::1111]/cb',
    'https://user:pass@example.com/cb?x=1',
  ])('accepts %s', (url) => {
    expect(customerUrlProblem(url, strict)).toBeNull();
  });

  it.each([
    ['http://127.0.0.1:3000/x', /private or reserved/],
    ['http://10.1.2.3/x', /private or reserved/],
    ['http://169.254.169.254/latest/meta-data', /private or reserved/],
    ['http://[::1]/x', /private or reserved/],
    ['http://[::ffff:127.0.0.1]/x', /private or reserved/],
    ['http://[::7f00:1]/x', /private or reserved/],
    ['http://2130706433/x', /private or reserved/],
    ['http://0x7f.1/x', /private or reserved/],
    ['http://localhost:8080/x', /loopback host/],
    ['http://api.localhost./x', /loopback host/],
    ['ftp://example.com/x', /scheme/],
    ['not a url', /not valid/],
  ])('refuses %s', (url, reason) => {
    expect(customerUrlProblem(url, strict)).toMatch(reason);
  });

  it('accepts what the operator allow-listed', () => {
    const dev = new AddressPolicy({
      allowPrivateNetworks: ['127.0.0.1/32'],
      allowHosts: ['localhost'],
    });
    expect(customerUrlProblem('http://127.0.0.1:3000/x', dev)).toBeNull();
    expect(customerUrlProblem('http://localhost:3000/x', dev)).toBeNull();
    expect(customerUrlProblem('http://10.0.0.1/x', dev)).toMatch(/private/);
  });
});

import { classifyConnectionError, redactUrl } from './safe-http';

describe('classifyConnectionError', () => {
  it.each([
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate-domain'],
    ['CERT_HAS_EXPIRED', 'certificate-expired'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate-untrusted'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate-untrusted'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
    ['ECONNREFUSED', 'connect'],
    ['ECONNRESET', 'connect'],
  ])('%s over https is %s', (code, failure) => {
    expect(classifyConnectionError(Object.assign(new Error(code), { code }), true)).toBe(failure);
  });

  it('never calls a plain-HTTP failure a TLS one', () => {
    const error = Object.assign(new Error('proto'), { code: 'EPROTO' });
    expect(classifyConnectionError(error, false)).toBe('connect');
  });
});

describe('redactUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(redactUrl(new URL('https://u:p@example.com/a?token=x#ct=1'))).toBe(
      'https://example.com/a?…',
    );
  });
});

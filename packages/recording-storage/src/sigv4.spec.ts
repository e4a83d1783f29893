import {
  EMPTY_SHA256,
  amzDate,
  canonicalQuery,
  canonicalUri,
  sha256Hex,
  signRequest,
  signingKey,
  uriEncode,
  verifyRequest,
} from './sigv4';

// The example credentials and requests of AWS's S3 SigV4 documentation
// ("Signature Calculations for the Authorization Header", header-based auth).
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const scope = { region: 'us-east-1', service: 's3' };
const now = new Date(Date.UTC(2013, 4, 24, 0, 0, 0));

describe('SigV4: AWS documented examples', () => {
  it('derives the signing key of the SigV4 reference', () => {
    const key = signingKey(
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      '20120215',
      'us-east-1',
      'iam',
    );
    expect(key.toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('GET Object with a Range header', () => {
    const signed = signRequest(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { Range: 'bytes=0-9' },
        payloadHash: EMPTY_SHA256,
        now,
      },
      credentials,
      scope,
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('PUT Object (body hash, $ in the key, extra headers)', () => {
    const payloadHash = sha256Hex('Welcome to Amazon S3.');
    expect(payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const signed = signRequest(
      {
        method: 'PUT',
        url: new URL('https://examplebucket.s3.amazonaws.com/test$file.text'),
        headers: {
          Date: 'Fri, 24 May 2013 00:00:00 GMT',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        },
        payloadHash,
        now,
      },
      credentials,
      scope,
    );
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/test%24file.text');
    expect(signed.signature).toBe(
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  it('GET Bucket lifecycle (a query parameter without value)', () => {
    const signed = signRequest(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/?lifecycle'),
        payloadHash: EMPTY_SHA256,
        now,
      },
      credentials,
      scope,
    );
    expect(signed.signature).toBe(
      'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    );
  });

  it('GET Bucket (list objects, sorted query)', () => {
    const signed = signRequest(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'),
        payloadHash: EMPTY_SHA256,
        now,
      },
      credentials,
      scope,
    );
    expect(signed.signature).toBe(
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });
});

describe('SigV4: encoding', () => {
  it('encodes the RFC 3986 way', () => {
    expect(uriEncode("a b!'()*~._-")).toBe('a%20b%21%27%28%29%2A~._-');
    expect(uriEncode('a/b+c', true)).toBe('a/b%2Bc');
    expect(uriEncode('ключ')).toBe('%D0%BA%D0%BB%D1%8E%D1%87');
    expect(canonicalUri('/bucket/a%20b/c$d')).toBe('/bucket/a%20b/c%24d');
    expect(canonicalQuery('b=2&a=x%20y&a=%2B&lifecycle')).toBe('a=%2B&a=x%20y&b=2&lifecycle=');
    expect(amzDate(now)).toBe('20130524T000000Z');
  });
});

describe('SigV4: verification', () => {
  const sign = (url: string, headers: Record<string, string> = {}) =>
    signRequest(
      { method: 'PUT', url: new URL(url), headers, payloadHash: EMPTY_SHA256, now },
      credentials,
      scope,
    );
  const options = {
    secretFor: (id: string) =>
      id === credentials.accessKeyId ? credentials.secretAccessKey : undefined,
    region: 'us-east-1',
    service: 's3',
    now,
  };

  it('accepts what the signer produced, as a server receives it', () => {
    const signed = sign('http://127.0.0.1:9000/bucket/AC1/RE2.wav?x-id=PutObject', {
      'content-type': 'audio/wav',
    });
    const result = verifyRequest(
      { method: 'PUT', target: '/bucket/AC1/RE2.wav?x-id=PutObject', headers: signed.headers },
      options,
    );
    expect(result).toEqual({
      ok: true,
      accessKeyId: credentials.accessKeyId,
      payloadHash: EMPTY_SHA256,
    });
  });

  it('rejects tampering, unknown keys, wrong scope and old requests', () => {
    const signed = sign('http://127.0.0.1:9000/bucket/a.wav', { 'content-type': 'audio/wav' });
    const base = { method: 'PUT', target: '/bucket/a.wav', headers: signed.headers };
    const reason = (r: ReturnType<typeof verifyRequest>) => (r.ok ? 'ok' : r.reason);
    expect(reason(verifyRequest({ ...base, target: '/bucket/b.wav' }, options))).toBe(
      'signature mismatch',
    );
    expect(reason(verifyRequest({ ...base, method: 'DELETE' }, options))).toBe(
      'signature mismatch',
    );
    expect(
      reason(
        verifyRequest(
          { ...base, headers: { ...signed.headers, 'content-type': 'text/html' } },
          options,
        ),
      ),
    ).toBe('signature mismatch');
    expect(reason(verifyRequest(base, { ...options, secretFor: () => undefined }))).toBe(
      'unknown access key',
    );
    expect(reason(verifyRequest(base, { ...options, secretFor: () => 'other-secret' }))).toBe(
      'signature mismatch',
    );
    expect(reason(verifyRequest(base, { ...options, region: 'eu-west-1' }))).toBe(
      'wrong credential scope',
    );
    expect(
      reason(verifyRequest(base, { ...options, now: new Date(now.getTime() + 16 * 60_000) })),
    ).toBe('request time too skewed');
    expect(reason(verifyRequest({ ...base, headers: {} }, options))).toBe('missing authorization');
  });
});

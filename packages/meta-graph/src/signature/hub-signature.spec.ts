import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signHubSignature, verifyHubSignature } from './hub-signature';

const SECRET = 'app-secret-for-tests';
const body = readFileSync(
  join(__dirname, '..', '..', 'fixtures', 'valid', 'calls-user-initiated-connect.json'),
);

describe('X-Hub-Signature-256', () => {
  it('signs exactly like an independent HMAC-SHA256 of the raw bytes', () => {
    const independent = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(signHubSignature(body, SECRET)).toBe(`sha256=${independent}`);
  });

  it('accepts the signature of the exact bytes, whatever the hex case', () => {
    const header = signHubSignature(body, SECRET);
    expect(verifyHubSignature(body, header, SECRET)).toBe(true);
    expect(verifyHubSignature(body, `sha256=${header.slice(7).toUpperCase()}`, SECRET)).toBe(true);
    expect(verifyHubSignature(body.toString('utf8'), header, SECRET)).toBe(true);
  });

  it('rejects a body that differs by one byte, even if it is the same JSON', () => {
    const header = signHubSignature(body, SECRET);
    const reserialised = JSON.stringify(JSON.parse(body.toString('utf8')));
    expect(verifyHubSignature(reserialised, header, SECRET)).toBe(false);
    const tampered = Buffer.from(body);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    expect(verifyHubSignature(tampered, header, SECRET)).toBe(false);
  });

  it('rejects another secret, missing, malformed and truncated headers', () => {
    const header = signHubSignature(body, SECRET);
    expect(verifyHubSignature(body, header, 'other-secret')).toBe(false);
    expect(verifyHubSignature(body, undefined, SECRET)).toBe(false);
    expect(verifyHubSignature(body, ['a', 'b'], SECRET)).toBe(false);
    expect(verifyHubSignature(body, header.slice(7), SECRET)).toBe(false);
    expect(verifyHubSignature(body, 'sha1=' + header.slice(7), SECRET)).toBe(false);
    expect(verifyHubSignature(body, header.slice(0, -2), SECRET)).toBe(false);
    expect(verifyHubSignature(body, 'sha256=' + 'zz'.repeat(32), SECRET)).toBe(false);
    expect(verifyHubSignature(body, header, '')).toBe(false);
  });
});

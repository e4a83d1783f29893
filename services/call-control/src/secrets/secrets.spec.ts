import { randomBytes } from 'node:crypto';
import { SecretBox, secretContext } from './secret-box';
import {
  hashSecret,
  newAuthToken,
  newKeySecret,
  safeEqual,
  tokenDigest,
  verifySecret,
} from './secret-hash';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));
  const ctx = secretContext.authToken('AC' + '0'.repeat(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('0123456789abcdef0123456789abcdef', ctx);
    expect(sealed).not.toContain('0123456789abcdef');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.decrypt(sealed, ctx)).toBe('0123456789abcdef0123456789abcdef');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same', ctx)).not.toBe(box.encrypt('same', ctx));
  });

  it('refuses another context, another key and altered ciphertext', () => {
    const sealed = box.encrypt('token', ctx);
    expect(() => box.decrypt(sealed, secretContext.authToken('AC' + '1'.repeat(32)))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, ctx)).toThrow();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;
    expect(() =>
      box.decrypt([parts[0], parts[1], parts[2], ct.toString('base64')].join('.'), ctx),
    ).toThrow();
    expect(() => box.decrypt('plain-text', ctx)).toThrow(/not a sealed secret/);
  });

  it('opens values sealed with an older key during a rotation, and reseals them with the new one', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedOld = new SecretBox(oldKey).encrypt('token', ctx);
    // Step 1 of a rotation: the new key is accepted for opening everywhere first.
    const accepting = new SecretBox(oldKey, [newKey]);
    expect(accepting.decrypt(new SecretBox(newKey).encrypt('fresh', ctx), ctx)).toBe('fresh');
    // Step 2: the new key seals, the old one still opens.
    const rotated = new SecretBox(newKey, [oldKey]);
    expect(rotated.decrypt(sealedOld, ctx)).toBe('token');
    const resealed = rotated.reseal(sealedOld, ctx);
    expect(resealed).not.toBeNull();
    expect(rotated.reseal(resealed!, ctx)).toBeNull(); // already under the current key
    // Step 3: the old key is dropped; resealed values open, others do not.
    const done = new SecretBox(newKey);
    expect(done.decrypt(resealed!, ctx)).toBe('token');
    expect(() => done.decrypt(sealedOld, ctx)).toThrow(/any configured key/);
    // The context still binds a value to its row whichever key opens it.
    expect(() =>
      rotated.decrypt(sealedOld, secretContext.authToken('AC' + '1'.repeat(32))),
    ).toThrow();
  });

  it('requires a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => new SecretBox(randomBytes(32), [randomBytes(31)])).toThrow(/32 bytes/);
    expect(
      SecretBox.fromBase64(undefined).decrypt(
        SecretBox.fromBase64(undefined).encrypt('x', 'c'),
        'c',
      ),
    ).toBe('x');
  });
});

describe('scrypt secret hashes', () => {
  it('verifies the right secret only', async () => {
    const stored = await hashSecret('s3cret-value');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('s3cret-value');
    await expect(verifySecret('s3cret-value', stored)).resolves.toBe(true);
    await expect(verifySecret('s3cret-valuf', stored)).resolves.toBe(false);
    await expect(verifySecret('s3cret-value', 'garbage')).resolves.toBe(false);
  });

  it('salts: the same secret hashes differently', async () => {
    expect(await hashSecret('a')).not.toBe(await hashSecret('a'));
  });
});

describe('credential helpers', () => {
  it('makes Twilio-shaped tokens and secrets', () => {
    expect(newAuthToken()).toMatch(/^[0-9a-f]{32}$/);
    expect(newKeySecret()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(newKeySecret()).not.toBe(newKeySecret());
  });

  it('compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(tokenDigest('x')).toHaveLength(64);
  });
});

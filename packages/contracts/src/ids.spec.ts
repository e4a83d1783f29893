import { AccountSid, CallSid, isBsuidAddress, newSid, WhatsAppAddress } from './ids';

describe('sids', () => {
  it('makes sids of the requested kind that their schema accepts', () => {
    const call = newSid('CA');
    expect(call).toMatch(/^CA[0-9a-f]{32}$/);
    expect(CallSid.safeParse(call).success).toBe(true);
    expect(AccountSid.safeParse(call).success).toBe(false);
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => newSid('AC')));
    expect(seen.size).toBe(1000);
  });

  it.each(['CA123', 'ca' + '0'.repeat(32), 'CA' + 'G'.repeat(32), 'CA' + '0'.repeat(33)])(
    'rejects %s',
    (bad) => {
      expect(CallSid.safeParse(bad).success).toBe(false);
    },
  );
});

describe('WhatsAppAddress', () => {
  it.each([
    'whatsapp:+14155550100',
    'whatsapp:+5511987654321',
    'whatsapp:US.13491208655302741918',
    'whatsapp:US.ENT.11815799212886844830',
    `whatsapp:BR.${'a1'.repeat(64)}`,
  ])('accepts %s', (good) => {
    expect(WhatsAppAddress.safeParse(good).success).toBe(true);
    expect(isBsuidAddress(good)).toBe(!good.startsWith('whatsapp:+'));
  });

  it.each([
    '+14155550100',
    'whatsapp:14155550100',
    'whatsapp:+0123456789',
    'whatsapp:+1 415 555',
    'US.13491208655302741918',
    'whatsapp:us.1349',
    'whatsapp:USA.1349',
    'whatsapp:US.',
    'whatsapp:US.12-34',
    `whatsapp:BR.${'a'.repeat(129)}`,
  ])('rejects %s', (bad) => {
    expect(WhatsAppAddress.safeParse(bad).success).toBe(false);
  });
});

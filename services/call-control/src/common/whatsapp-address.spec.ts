import { countryOf, parseWhatsAppAddress, whatsAppFromDigits } from './whatsapp-address';

describe('parseWhatsAppAddress', () => {
  it('reads whatsapp:+E.164 and gives Meta digits and the country', () => {
    expect(parseWhatsAppAddress('whatsapp:+5524987654321')).toEqual({
      ok: true,
      value: {
        address: 'whatsapp:+5524987654321',
        e164: '+5524987654321',
        digits: '5524987654321',
        country: 'BR',
      },
    });
    expect(parseWhatsAppAddress(' WhatsApp:+14155551234 ')).toMatchObject({
      ok: true,
      value: { address: 'whatsapp:+14155551234' },
    });
  });

  it('names what is wrong', () => {
    expect(parseWhatsAppAddress(undefined)).toEqual({ ok: false, problem: 'missing' });
    expect(parseWhatsAppAddress('  ')).toEqual({ ok: false, problem: 'missing' });
    expect(parseWhatsAppAddress('+14155551234')).toEqual({ ok: false, problem: 'not-whatsapp' });
    expect(parseWhatsAppAddress('14155551234')).toEqual({ ok: false, problem: 'not-whatsapp' });
    expect(parseWhatsAppAddress('client:alice')).toEqual({ ok: false, problem: 'invalid-number' });
    expect(parseWhatsAppAddress('whatsapp:14155551234')).toEqual({
      ok: false,
      problem: 'invalid-number',
    });
    expect(parseWhatsAppAddress('whatsapp:+1415555')).toEqual({
      ok: false,
      problem: 'invalid-number',
    });
    expect(parseWhatsAppAddress('whatsapp:+999123456789')).toEqual({
      ok: false,
      problem: 'invalid-number',
    });
  });

  it('accepts unassigned but possible numbers only when asked to', () => {
    expect(parseWhatsAppAddress('whatsapp:+15550100001')).toEqual({
      ok: false,
      problem: 'invalid-number',
    });
    expect(parseWhatsAppAddress('whatsapp:+15550100001', 'possible')).toMatchObject({
      ok: true,
      value: { digits: '15550100001' },
    });
  });

  it('writes Meta digits back as an address', () => {
    expect(whatsAppFromDigits('15550100002')).toBe('whatsapp:+15550100002');
    expect(whatsAppFromDigits('+15550100002')).toBe('whatsapp:+15550100002');
  });

  it('accepts a business-scoped user id (BSUID) wherever a number is accepted', () => {
    expect(parseWhatsAppAddress('whatsapp:US.13491208655302741918')).toEqual({
      ok: true,
      value: {
        address: 'whatsapp:US.13491208655302741918',
        e164: '',
        digits: 'US.13491208655302741918',
        country: 'US',
      },
    });
    expect(parseWhatsAppAddress('whatsapp:BR.ENT.1502576394655843')).toMatchObject({ ok: true });
    expect(parseWhatsAppAddress('whatsapp:us.1349')).toEqual({
      ok: false,
      problem: 'invalid-number',
    });
    expect(whatsAppFromDigits('US.13491208655302741918')).toBe('whatsapp:US.13491208655302741918');
    expect(countryOf('IN.1648738043044942')).toBe('IN');
  });
});

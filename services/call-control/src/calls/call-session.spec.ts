import { type CallEntity } from './call.entity';
import { voiceParameters } from './call-session';

const call = (over: Partial<CallEntity>): CallEntity =>
  ({
    sid: `CA${'1'.repeat(32)}`,
    accountSid: `AC${'2'.repeat(32)}`,
    parentCallSid: null,
    callerName: null,
    status: 'ringing',
    direction: 'inbound',
    from: 'whatsapp:+5524987654321',
    to: 'whatsapp:+14155550100',
    ...over,
  }) as CallEntity;

describe('voiceParameters', () => {
  it('gives a user known by phone number a WaId and countries', () => {
    expect(voiceParameters(call({}))).toMatchObject({
      From: 'whatsapp:+5524987654321',
      WaId: '5524987654321',
      FromCountry: 'BR',
      ToCountry: 'US',
    });
  });

  it('shows a user known only by a BSUID as whatsapp:<BSUID>, without WaId', () => {
    const params = voiceParameters(call({ from: 'whatsapp:US.13491208655302741918' }));
    expect(params).toMatchObject({
      From: 'whatsapp:US.13491208655302741918',
      Caller: 'whatsapp:US.13491208655302741918',
      FromCountry: 'US',
      CallerCountry: 'US',
    });
    expect(params.WaId).toBeUndefined();
  });
});

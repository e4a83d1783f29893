import { type CallStatus, ParleyError } from '@parley/contracts';
import { type MetaCallWebhook } from '@parley/meta-graph';
import { type ApplicationEntity } from '../applications/application.entity';
import {
  admitInboundCall,
  callerProfileName,
  connectAnswerSdp,
  connectDirection,
  inboundConnectPlan,
  type InboundAdmission,
  metaTerminatePlan,
  outboundConnectPlan,
  outboundStatusPlan,
  terminateErrorCode,
} from './meta-event-plans';

const TERMINAL: CallStatus[] = ['completed', 'busy', 'no-answer', 'canceled', 'failed'];
const RUNNING: CallStatus[] = ['queued', 'initiated', 'ringing', 'in-progress'];
const OFFER = { sdp_type: 'offer' as const, sdp: 'v=0 offer' };
const ANSWER = { sdp_type: 'answer' as const, sdp: 'v=0 answer' };

describe('connectDirection', () => {
  it.each<[string, Pick<MetaCallWebhook, 'direction' | 'session'>, 'inbound' | 'outbound']>([
    ['USER_INITIATED', { direction: 'USER_INITIATED', session: ANSWER }, 'inbound'],
    ['BUSINESS_INITIATED', { direction: 'BUSINESS_INITIATED', session: OFFER }, 'outbound'],
    ['no direction, an offer', { session: OFFER }, 'inbound'],
    ['no direction, an answer', { session: ANSWER }, 'outbound'],
    ['no direction, no session', {}, 'outbound'],
  ])('%s -> %s', (_name, event, expected) => {
    expect(connectDirection(event)).toBe(expected);
  });
});

describe('outboundStatusPlan', () => {
  it.each(TERMINAL.flatMap((status) => ['RINGING', 'ACCEPTED'].map((m) => [status, m])))(
    'a call already %s that Meta reports %s is terminated at Meta',
    (status, metaStatus) => {
      expect(outboundStatusPlan({ status: status as CallStatus }, metaStatus, 'wacid.1')).toEqual({
        kind: 'terminate-at-meta',
      });
    },
  );

  it.each(TERMINAL.flatMap((status) => ['REJECTED', 'SOMETHING'].map((m) => [status, m])))(
    'a call already %s that Meta reports %s is left alone',
    (status, metaStatus) => {
      expect(outboundStatusPlan({ status: status as CallStatus }, metaStatus, 'wacid.1')).toEqual({
        kind: 'ignore',
      });
    },
  );

  it.each<[string, object]>([
    ['RINGING', { kind: 'ringing' }],
    ['ACCEPTED', { kind: 'answered', reason: 'meta:status:ACCEPTED' }],
    [
      'REJECTED',
      {
        kind: 'end',
        to: 'busy',
        request: { reason: 'meta:status:REJECTED', meta: 'none', patch: { metaCallId: 'wacid.1' } },
      },
    ],
    ['TRANSFERRED', { kind: 'unknown-status' }],
  ])('%s of a running call', (metaStatus, expected) => {
    for (const status of RUNNING) {
      expect(outboundStatusPlan({ status }, metaStatus, 'wacid.1')).toEqual({
        ...expected,
        placeFirst: status === 'queued',
      });
    }
  });
});

describe('connectAnswerSdp', () => {
  it.each<[string, Pick<MetaCallWebhook, 'session' | 'connection'>, string | undefined]>([
    ['an answer session', { session: ANSWER }, 'v=0 answer'],
    ['an offer session (not an answer)', { session: OFFER }, undefined],
    ['the older connection.webrtc', { connection: { webrtc: { sdp: 'v=0 old' } } }, 'v=0 old'],
    [
      'an answer session before connection.webrtc',
      { session: ANSWER, connection: { webrtc: { sdp: 'v=0 old' } } },
      'v=0 answer',
    ],
    ['nothing', {}, undefined],
  ])('%s', (_name, event, expected) => {
    expect(connectAnswerSdp(event)).toBe(expected);
  });
});

describe('outboundConnectPlan', () => {
  it.each(TERMINAL)('a call already %s is terminated at Meta', (status) => {
    expect(outboundConnectPlan({ status }, { id: 'wacid.1', session: ANSWER })).toEqual({
      kind: 'terminate-at-meta',
    });
  });

  it.each(RUNNING)('a %s call with the SDP answer applies it', (status) => {
    expect(outboundConnectPlan({ status }, { id: 'wacid.1', session: ANSWER })).toEqual({
      kind: 'apply-answer',
      placeFirst: status === 'queued',
      sdp: 'v=0 answer',
    });
  });

  it.each(RUNNING)('a %s call without an SDP answer fails', (status) => {
    expect(outboundConnectPlan({ status }, { id: 'wacid.1', session: OFFER })).toEqual({
      kind: 'end',
      placeFirst: status === 'queued',
      to: 'failed',
      request: {
        reason: 'meta:connect-without-answer',
        meta: 'terminate',
        errorCode: 53403,
        errorMessage: "Meta's connect webhook carried no SDP answer",
        patch: { metaCallId: 'wacid.1' },
      },
    });
  });
});

describe('callerProfileName', () => {
  const ana = { wa_id: '15550001', profile: { name: 'Ana' } };
  const bo = { wa_id: '15550002', profile: { name: 'Bo' } };
  it.each<[string, Parameters<typeof callerProfileName>[1], string | null]>([
    ['the contact matching the caller', [bo, ana], 'Ana'],
    ['the first contact when none matches', [bo], 'Bo'],
    ['the first contact when the match has no name', [bo, { wa_id: '15550001' }], 'Bo'],
    ['null without contacts', [], null],
    ['null when no contact has a name', [{ wa_id: '15550001' }], null],
  ])('%s', (_name, contacts, expected) => {
    expect(callerProfileName('15550001', contacts)).toBe(expected);
  });
});

describe('admitInboundCall', () => {
  const sender = { senderId: 'whatsapp:+15550100' };
  const app = (voiceUrl: string | null) =>
    ({
      sid: 'AP00000000000000000000000000000001',
      voiceUrl,
      voiceMethod: 'POST',
      voiceFallbackUrl: null,
      voiceFallbackMethod: 'POST',
    }) as ApplicationEntity;

  it('admits a call whose sender has a voice application with a VoiceUrl', () => {
    expect(admitInboundCall(sender, app('https://app.example/voice'))).toEqual({
      ok: true,
      document: {
        kind: 'url',
        url: 'https://app.example/voice',
        method: 'POST',
        fallbackUrl: null,
        fallbackMethod: 'POST',
      },
    });
  });

  it.each<[string, ApplicationEntity | null, string]>([
    [
      'no voice application',
      null,
      'The WhatsApp sender whatsapp:+15550100 has no voice application',
    ],
    [
      'an application without VoiceUrl',
      app(null),
      'The voice application AP00000000000000000000000000000001 has no VoiceUrl',
    ],
  ])('refuses a call whose sender has %s (37009)', (_name, application, message) => {
    const admission = admitInboundCall(sender, application);
    expect(admission.ok).toBe(false);
    if (admission.ok) return;
    expect(admission.refusal).toBeInstanceOf(ParleyError);
    expect(admission.refusal.code).toBe(37009);
    expect(admission.refusal.message).toBe(message);
  });
});

describe('inboundConnectPlan', () => {
  const document = { kind: 'twiml' as const, twiml: '<Response/>' };
  const admitted: InboundAdmission = { ok: true, document };

  it('answers an admitted call with its offer', () => {
    expect(inboundConnectPlan(admitted, { session: OFFER })).toEqual({
      kind: 'answer',
      offer: 'v=0 offer',
      document,
    });
  });

  it('declines a refused call at Meta with the refusal as the error, offer or not', () => {
    const refusal = new ParleyError(37004, 'The WhatsApp sender is busy');
    for (const session of [OFFER, undefined]) {
      expect(inboundConnectPlan({ ok: false, refusal }, { session })).toEqual({
        kind: 'end',
        to: 'failed',
        refusal,
        request: {
          reason: 'refused',
          meta: 'reject',
          errorCode: 37004,
          errorMessage: 'The WhatsApp sender is busy',
        },
      });
    }
  });

  it.each([
    ['no session', undefined],
    ['an answer instead of an offer', ANSWER],
  ])('fails an admitted call with %s', (_name, session) => {
    expect(inboundConnectPlan(admitted, { session })).toEqual({
      kind: 'end',
      to: 'failed',
      request: {
        reason: 'meta:connect-without-offer',
        meta: 'reject',
        errorCode: 53403,
        errorMessage: "Meta's connect webhook carried no SDP offer",
      },
    });
  });
});

describe('metaTerminatePlan', () => {
  it.each(TERMINAL)('leaves a call already %s alone', (status) => {
    expect(metaTerminatePlan({ status }, { status: 'COMPLETED' })).toEqual({ kind: 'ignore' });
  });

  it("completes an answered call with Meta's duration, rounded and never negative", () => {
    for (const [duration, billed] of [
      [42.6, 43],
      [-1, 0],
    ]) {
      expect(
        metaTerminatePlan({ status: 'in-progress' }, { status: 'COMPLETED', duration }),
      ).toEqual({
        kind: 'end',
        to: 'completed',
        request: {
          reason: 'meta:terminate:COMPLETED',
          meta: 'none',
          detail: { metaStatus: 'COMPLETED', metaDuration: duration, metaErrors: [] },
          patch: { duration: billed },
        },
      });
    }
  });

  it('completes an answered call without a duration patch when Meta gives none', () => {
    const plan = metaTerminatePlan({ status: 'in-progress' }, { status: 'completed' });
    expect(plan).toEqual({
      kind: 'end',
      to: 'completed',
      request: {
        reason: 'meta:terminate:COMPLETED',
        meta: 'none',
        detail: { metaStatus: 'COMPLETED', metaDuration: null, metaErrors: [] },
      },
    });
  });

  it.each<[string, CallStatus, Parameters<typeof metaTerminatePlan>[1], CallStatus]>([
    ['FAILED with an error', 'ringing', { status: 'FAILED', errors: [{ code: 138021 }] }, 'failed'],
    ['FAILED without an error', 'ringing', { status: 'FAILED' }, 'no-answer'],
    ['COMPLETED before the answer', 'initiated', { status: 'COMPLETED' }, 'no-answer'],
    ['no status at all', 'queued', {}, 'no-answer'],
    [
      'an error but not FAILED',
      'ringing',
      { status: 'COMPLETED', errors: [{ code: 1 }] },
      'no-answer',
    ],
  ])('an unanswered call terminated with %s ends %s', (_name, status, event, to) => {
    const plan = metaTerminatePlan({ status }, event);
    expect(plan).toMatchObject({ kind: 'end', to });
  });

  it("reports Meta's first error with its Twilio code and message", () => {
    const plan = metaTerminatePlan(
      { status: 'ringing' },
      {
        status: 'FAILED',
        errors: [
          { code: 138021, message: 'no media' },
          { code: 1, title: 'second' },
        ],
      },
    );
    expect(plan).toEqual({
      kind: 'end',
      to: 'failed',
      request: {
        reason: 'meta:terminate:FAILED',
        meta: 'none',
        detail: {
          metaStatus: 'FAILED',
          metaDuration: null,
          metaErrors: [
            { code: 138021, message: 'no media' },
            { code: 1, message: 'second' },
          ],
        },
        errorCode: 53405,
        errorMessage: 'no media',
      },
    });
  });

  it('falls back to the title, then to the code, for the error message', () => {
    expect(
      metaTerminatePlan(
        { status: 'ringing' },
        { status: 'FAILED', errors: [{ code: 7, title: 'T' }] },
      ),
    ).toMatchObject({ request: { errorMessage: 'T' } });
    expect(
      metaTerminatePlan({ status: 'ringing' }, { status: 'FAILED', errors: [{ code: 7 }] }),
    ).toMatchObject({ request: { errorMessage: 'Meta error 7' } });
  });
});

describe('terminateErrorCode', () => {
  it('reports a media timeout as a media failure, other codes through the Graph table', () => {
    expect(terminateErrorCode(138021)).toBe(53405);
    expect(terminateErrorCode(138006)).toBe(37000);
    expect(terminateErrorCode(424242)).toBe(20500);
  });
});

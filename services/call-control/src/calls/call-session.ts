import {
  type AccountSid,
  type ApplicationSid,
  type CallSid,
  isBsuidAddress,
  ParleyError,
  type SessionStartRequestV1,
} from '@parley/contracts';
import { type ApplicationEntity } from '../applications/application.entity';
import { API_VERSION } from '../common/twilio-format';
import { countryOf } from '../common/whatsapp-address';
import { type CallEntity } from './call.entity';

/**
 * The parameters Twilio sends to a voice URL, for a WhatsApp call: addresses in
 * `whatsapp:+E.164` form, WhatsApp's profile name when Meta gave one.
 */
export function voiceParameters(
  call: CallEntity,
  extra: { profileName?: string | null } = {},
): Record<string, string> {
  const params: Record<string, string> = {
    CallSid: call.sid,
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    Caller: call.from,
    Called: call.to,
    CallStatus: call.status,
    Direction: call.direction,
    ApiVersion: API_VERSION,
  };
  if (call.parentCallSid) params.ParentCallSid = call.parentCallSid;
  if (call.callerName) params.CallerName = call.callerName;
  if (extra.profileName) params.ProfileName = extra.profileName;
  const fromDigits = call.from.replace(/^whatsapp:\+?/, '');
  // A user known only by a BSUID (`whatsapp:US.1349...`) has no WaId: From says who it is.
  if (call.direction === 'inbound' && !isBsuidAddress(call.from)) params.WaId = fromDigits;
  const fromCountry = countryOf(fromDigits);
  const toCountry = countryOf(call.to.replace(/^whatsapp:\+?/, ''));
  if (fromCountry) params.FromCountry = params.CallerCountry = fromCountry;
  if (toCountry) params.ToCountry = params.CalledCountry = toCountry;
  return params;
}

type SessionDocument = SessionStartRequestV1['document'];

/** The TwiML of an application's voice configuration. */
export function applicationDocument(app: ApplicationEntity): SessionDocument {
  if (!app.voiceUrl) {
    throw new ParleyError(37009, `The voice application ${app.sid} has no VoiceUrl`);
  }
  return {
    kind: 'url',
    url: app.voiceUrl,
    method: app.voiceMethod,
    fallbackUrl: app.voiceFallbackUrl,
    fallbackMethod: app.voiceFallbackMethod,
  };
}

/** The TwiML given when the call was created (Url or Twiml), if any. */
export function callDocument(call: CallEntity): SessionDocument | null {
  if (call.twiml) return { kind: 'twiml', twiml: call.twiml };
  if (call.url) {
    return {
      kind: 'url',
      url: call.url,
      method: call.method,
      fallbackUrl: call.fallbackUrl,
      fallbackMethod: call.fallbackMethod,
    };
  }
  return null;
}

export function sessionStart(
  call: CallEntity,
  document: SessionDocument,
  parameters: Record<string, string>,
): SessionStartRequestV1 {
  return {
    callSid: call.sid as CallSid,
    accountSid: call.accountSid as AccountSid,
    applicationSid: (call.applicationSid as ApplicationSid | null) ?? null,
    document,
    parameters,
  };
}

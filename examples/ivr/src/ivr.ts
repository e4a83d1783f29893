import twilio from 'twilio';

const { VoiceResponse } = twilio.twiml;

/** What the IVR needs to know besides the request. */
export interface IvrOptions {
  /** The WhatsApp user a caller who presses 2 is transferred to (`whatsapp:+E.164`). */
  transferTo: string;
  /** The `<Dial callerId>` when the request has no `whatsapp:` To (the business's sender). */
  defaultCallerId?: string;
}

/** The paths the IVR serves; every action and callback URL it writes is one of them. */
export const PATHS = {
  voice: '/voice',
  menu: '/menu',
  recorded: '/recorded',
  recordingStatus: '/recording-status',
  transferred: '/transferred',
} as const;

export const GREETING = 'Welcome to the Parley demo.';
export const MENU =
  'To leave a message, press 1. To talk to someone, press 2. To hear these options again, press any other key.';

/** The first document of a call: the greeting, then the menu (`<Gather>` one digit). */
export function greeting(): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    numDigits: 1,
    action: PATHS.menu,
    method: 'POST',
    timeout: 10,
  });
  gather.say(GREETING);
  gather.say(MENU);
  // Nothing pressed: start over.
  response.redirect({ method: 'POST' }, PATHS.voice);
  return response.toString();
}

/**
 * The menu's answer to the digit pressed: 1 records a message, 2 transfers to the second
 * WhatsApp user from the business's own number, anything else repeats the menu.
 */
export function menu(
  digits: string | undefined,
  to: string | undefined,
  options: IvrOptions,
): string {
  const response = new VoiceResponse();
  switch (digits ?? '') {
    case '1':
      response.say('Please leave a message after the beep. Hang up when you are done.');
      response.record({
        action: PATHS.recorded,
        method: 'POST',
        maxLength: 60,
        playBeep: true,
        recordingStatusCallback: PATHS.recordingStatus,
        recordingStatusCallbackMethod: 'POST',
      });
      response.say('I did not hear a message. Goodbye.');
      break;
    case '2': {
      const callerId = to?.toLowerCase().startsWith('whatsapp:') ? to : options.defaultCallerId;
      response.say('Connecting you now.');
      const dial = response.dial({
        action: PATHS.transferred,
        method: 'POST',
        timeout: 30,
        ...(callerId ? { callerId } : {}),
      });
      dial.whatsApp(options.transferTo);
      break;
    }
    default:
      response.say('Sorry, that is not an option.');
      response.redirect({ method: 'POST' }, PATHS.voice);
  }
  return response.toString();
}

/** After `<Record>`: thanks, and the call ends. */
export function recorded(): string {
  const response = new VoiceResponse();
  response.say('Thank you, your message was recorded. Goodbye.');
  response.hangup();
  return response.toString();
}

/** After the transfer's `<Dial>`: the call ends, or a word when nobody answered. */
export function transferred(dialCallStatus: string | undefined): string {
  const response = new VoiceResponse();
  if (dialCallStatus !== 'completed' && dialCallStatus !== 'answered') {
    response.say('Nobody could take your call. Goodbye.');
  }
  response.hangup();
  return response.toString();
}

import { parseTwiml, type TwimlDocument } from '@parley/twiml';
import { GREETING, greeting, MENU, menu, recorded, transferred } from './ivr';

const OPTIONS = { transferTo: 'whatsapp:+15550100004' };

/** Every document the IVR writes is TwiML Parley runs (fictional 555 numbers allowed). */
function parsed(xml: string): TwimlDocument {
  const result = parseTwiml(xml, { numberCheck: 'possible' });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  expect(result.warnings).toEqual([]);
  return result.document;
}

describe('the IVR documents', () => {
  it('greets and gathers one digit for the menu, then starts over when nothing is pressed', () => {
    expect(parsed(greeting()).verbs).toMatchObject([
      {
        kind: 'Gather',
        attributes: { numDigits: 1, action: '/menu', method: 'POST', timeout: 10 },
        children: [
          { kind: 'Say', content: [{ kind: 'text', value: GREETING }] },
          { kind: 'Say', content: [{ kind: 'text', value: MENU }] },
        ],
      },
      { kind: 'Redirect', url: '/voice' },
    ]);
  });

  it('1: records a message with a recording status callback', () => {
    expect(parsed(menu('1', 'whatsapp:+15550100001', OPTIONS)).verbs).toMatchObject([
      { kind: 'Say' },
      {
        kind: 'Record',
        attributes: {
          action: '/recorded',
          playBeep: true,
          recordingStatusCallback: '/recording-status',
          recordingStatusCallbackMethod: 'POST',
        },
      },
      { kind: 'Say' },
    ]);
  });

  it('2: transfers to the second WhatsApp user from the number that was called', () => {
    expect(parsed(menu('2', 'whatsapp:+15550100001', OPTIONS)).verbs).toMatchObject([
      { kind: 'Say' },
      {
        kind: 'Dial',
        attributes: { callerId: 'whatsapp:+15550100001', action: '/transferred', timeout: 30 },
        nouns: [{ kind: 'WhatsApp', phoneNumber: '+15550100004' }],
      },
    ]);
  });

  it('2 with no whatsapp: To: the configured caller id', () => {
    const xml = menu('2', '+15550100001', { ...OPTIONS, defaultCallerId: 'whatsapp:+15550100009' });
    expect(parsed(xml).verbs[1]).toMatchObject({
      kind: 'Dial',
      attributes: { callerId: 'whatsapp:+15550100009' },
    });
  });

  it.each([['3'], ['#'], [undefined]])('%s: says so and repeats the menu', (digits) => {
    expect(parsed(menu(digits, 'whatsapp:+15550100001', OPTIONS)).verbs).toMatchObject([
      { kind: 'Say', content: [{ kind: 'text', value: 'Sorry, that is not an option.' }] },
      { kind: 'Redirect', url: '/voice' },
    ]);
  });

  it('ends the call after the message, and after the transfer', () => {
    expect(parsed(recorded()).verbs.map((v) => v.kind)).toEqual(['Say', 'Hangup']);
    expect(parsed(transferred('completed')).verbs.map((v) => v.kind)).toEqual(['Hangup']);
    expect(parsed(transferred('no-answer')).verbs.map((v) => v.kind)).toEqual(['Say', 'Hangup']);
  });
});

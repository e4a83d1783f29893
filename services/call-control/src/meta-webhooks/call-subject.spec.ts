import { callSubject } from './webhook-processor.service';

describe('callSubject: which call a stored Meta event speaks of', () => {
  it('puts a call event and a status of the same call under one subject', () => {
    expect(callSubject('106540352242922:call:wacid.ABGG:terminate')).toBe(
      '106540352242922:wacid.ABGG',
    );
    expect(callSubject('106540352242922:call-status:wacid.ABGG:REJECTED')).toBe(
      '106540352242922:wacid.ABGG',
    );
  });

  it('keeps calls of different numbers apart', () => {
    expect(callSubject('1:call:wacid.X:connect')).not.toBe(callSubject('2:call:wacid.X:connect'));
  });

  it('has no subject for messages and message statuses (they are not ordered by call)', () => {
    expect(callSubject('106540352242922:message-status:wamid.HB:delivered')).toBeNull();
    expect(callSubject('unparsed:ab12')).toBeNull();
  });
});

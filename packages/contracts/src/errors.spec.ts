import { ERROR_CODES, isErrorCode, ParleyError } from './errors';

describe('ParleyError', () => {
  it("renders Twilio's REST error body", () => {
    const error = new ParleyError(
      21212,
      "The 'From' number whatsapp:+1 is not a valid WhatsApp sender",
    );
    expect(error.toTwilioBody()).toEqual({
      code: 21212,
      message: "The 'From' number whatsapp:+1 is not a valid WhatsApp sender",
      more_info: 'https://www.twilio.com/docs/errors/21212',
      status: 400,
    });
  });

  it("uses the code's default message and HTTP status", () => {
    const error = new ParleyError(20404);
    expect(error.message).toBe(ERROR_CODES[20404].message);
    expect(error.status).toBe(404);
  });

  it('knows which numbers are codes', () => {
    expect(isErrorCode(37000)).toBe(true);
    expect(isErrorCode(99999)).toBe(false);
    expect(isErrorCode('37000')).toBe(false);
  });
});

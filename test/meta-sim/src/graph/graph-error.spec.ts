import { GraphErrors } from './graph-error';

describe('Graph errors', () => {
  it('uses Meta’s envelope with WhatsApp error_data', () => {
    const envelope = GraphErrors.noCallPermission().toEnvelope();
    expect(envelope).toEqual({
      error: {
        message: '(#138006) No approved call permission from the recipient',
        type: 'OAuthException',
        code: 138006,
        error_data: { messaging_product: 'whatsapp', details: expect.any(String) as string },
        fbtrace_id: expect.stringMatching(/^A[\w-]{22}$/) as string,
      },
    });
  });

  it('leaves error_data out of OAuth errors and keeps the subcode of object errors', () => {
    expect(GraphErrors.invalidToken().toEnvelope().error).not.toHaveProperty('error_data');
    expect(GraphErrors.invalidToken().httpStatus).toBe(401);
    expect(GraphErrors.unknownObject('POST', '123').toEnvelope().error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: 'GraphMethodException',
      message: expect.stringContaining("Unsupported post request. Object with ID '123'") as string,
    });
  });
});

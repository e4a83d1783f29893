import { Stack, until } from './stack';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000c01';
const AUTH_TOKEN = '0e2e0000000000000000000000000c01';
const BUSINESS_NUMBER = '15550100011';
const ANSWERS = '15550100012';
const NEVER_ANSWERS = '15550100013';

interface CallPermission {
  status: string;
  consecutive_missed_calls: number;
  calls: { window: string; max: number; used: number; remaining: number }[];
  next_call: { allowed: boolean; rule: string | null; error_code: number | null };
}

/**
 * WhatsApp's call-permission rules through the whole system: the simulated user's
 * permission reply reaches consent through Meta's webhook and call-control's durable event,
 * five business calls connect, the sixth is refused before anything reaches Meta, and four
 * unanswered calls revoke the permission. Every service runs as a process, consent included.
 */
describe('WhatsApp call permissions through every service', () => {
  let stack: Stack;
  let phoneNumberId: string;

  const rest = (method: string, path: string, body?: Record<string, string>) =>
    stack.rest(method, path, body);
  const permission = async (waId: string) =>
    (await stack.callPermission(BUSINESS_NUMBER, waId)) as unknown as CallPermission;
  const placeCall = (waId: string, extra: Record<string, string> = {}) =>
    rest('POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      From: `whatsapp:+${BUSINESS_NUMBER}`,
      To: `whatsapp:+${waId}`,
      Twiml: '<Response><Pause length="1"/><Hangup/></Response>',
      ...extra,
    });
  const callEnded = (sid: string) => stack.callEnded(sid);
  const connectsTo = async (waId: string) =>
    (await stack.simClient.listGraphRequests({ edge: 'calls', action: 'connect' })).filter(
      (r) => (r.body as { to?: string } | null)?.to === waId,
    ).length;

  beforeAll(async () => {
    stack = await Stack.start({
      name: 'consent',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'media', 'twiml-interpreter', 'consent'],
    });
    const sender = await stack.sender({
      number: BUSINESS_NUMBER,
      voiceUrl: 'https://example.com/voice',
    });
    phoneNumberId = sender.phoneNumberId;
    await stack.simClient.createUser({
      waId: ANSWERS,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 200 },
    });
    await stack.simClient.createUser({
      waId: NEVER_ANSWERS,
      behaviour: { onIncomingCall: 'ignore' },
    });
  }, 420_000);

  afterAll(() => stack?.stop(), 30_000);

  it('refuses a user who never granted permission, naming the rule, before anything reaches Meta', async () => {
    const refused = await placeCall(ANSWERS);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 37000 });
    expect(String(refused.body.message)).toMatch(/^permission-required: /);
    expect(await connectsTo(ANSWERS)).toBe(0);
  });

  it('five calls connect after the user accepts; the sixth is refused with 37006 before Meta', async () => {
    // The simulated user accepts: Meta's call_permission_reply webhook reaches call-control,
    // which publishes it durably; consent records the grant.
    await stack.simClient.grantPermission(ANSWERS, phoneNumberId, { permanent: false });
    const granted = await until('consent to record the grant', async () => {
      const p = await permission(ANSWERS);
      return p.status === 'temporary' ? p : undefined;
    });
    expect(granted.calls[0]).toMatchObject({ max: 5, used: 0, remaining: 5 });

    for (let i = 1; i <= 5; i++) {
      const created = await placeCall(ANSWERS);
      expect(created.status).toBe(201);
      expect(await callEnded(String(created.body.sid))).toBe('completed');
    }
    expect(await connectsTo(ANSWERS)).toBe(5);
    const used = await until('five connected calls counted', async () => {
      const p = await permission(ANSWERS);
      return p.calls[0]?.used === 5 ? p : undefined;
    });
    expect(used.next_call).toMatchObject({
      allowed: false,
      rule: 'connected-calls-24h',
      error_code: 37006,
    });

    const sixth = await placeCall(ANSWERS);
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ code: 37006 });
    expect(String(sixth.body.message)).toMatch(/^connected-calls-24h: /);
    // The simulator saw no sixth connect: the refusal happened before Meta.
    expect(await connectsTo(ANSWERS)).toBe(5);
  }, 180_000);

  it('four unanswered calls in a row revoke the permission', async () => {
    await stack.simClient.grantPermission(NEVER_ANSWERS, phoneNumberId, { permanent: true });
    await until('consent to record the permanent grant', async () =>
      (await permission(NEVER_ANSWERS)).status === 'permanent' ? true : undefined,
    );
    for (let i = 1; i <= 4; i++) {
      const created = await placeCall(NEVER_ANSWERS, { Timeout: '2' });
      expect(created.status).toBe(201);
      expect(await callEnded(String(created.body.sid))).toBe('no-answer');
      if (i === 2) {
        const reprompt = await until('the re-prompt state', async () => {
          const p = (await permission(NEVER_ANSWERS)) as CallPermission & { reprompt: boolean };
          return p.consecutive_missed_calls === 2 ? p : undefined;
        });
        expect(reprompt.reprompt).toBe(true);
      }
    }
    const revoked = await until('the revocation', async () => {
      const p = await permission(NEVER_ANSWERS);
      return p.status === 'revoked' ? p : undefined;
    });
    expect(revoked.next_call).toMatchObject({
      allowed: false,
      rule: 'missed-calls-revoke',
      error_code: 37000,
    });
    const connects = await connectsTo(NEVER_ANSWERS);
    const refused = await placeCall(NEVER_ANSWERS);
    expect(refused.body).toMatchObject({ code: 37000 });
    expect(String(refused.body.message)).toMatch(/^missed-calls-revoke: /);
    expect(await connectsTo(NEVER_ANSWERS)).toBe(connects);
  }, 180_000);
});

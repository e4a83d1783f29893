import { newCallSid, Pair, startConsent, waitFor, type ConsentHarness } from '../testing/harness';

/** The durable consumers: a redelivered event records nothing twice, a restart loses nothing. */
describe('the ledger intake', () => {
  let h: ConsentHarness;

  beforeAll(async () => {
    h = await startConsent('intake');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  const entries = async (user: string) =>
    h.query<{ kind: string }>(
      'SELECT kind FROM consent.ledger_entries WHERE user_address = $1 ORDER BY id',
      [user],
    );

  it('applies a reply published twice (past JetStream de-duplication) once', async () => {
    const p = new Pair(h);
    const first = await p.reply('accept', { messageId: 'wamid.same-reply' });
    // The same logical event again, under another Nats-Msg-Id: JetStream stores it again.
    await p.reply('accept', { messageId: first.messageId });
    await p.userCall(false); // a later event, so the duplicate was certainly consumed
    expect((await entries(p.user)).map((e) => e.kind)).toEqual([
      'reply.accepted',
      'call.user-initiated',
    ]);
  }, 60_000);

  it('counts a missed call published twice once (no double step towards revocation)', async () => {
    const p = new Pair(h);
    await p.reply('accept');
    const callSid = newCallSid();
    await p.check(callSid);
    for (let i = 0; i < 3; i++) {
      await h.bus.publishDurable(
        'calls.v1.call.status-changed',
        {
          callSid,
          accountSid: p.accountSid,
          parentCallSid: null,
          direction: 'outbound-api',
          from: p.business,
          to: p.user,
          status: 'no-answer',
          previousStatus: 'ringing',
          sequence: 3,
          occurredAt: h.clock.now().toISOString(),
          startTime: null,
          endTime: h.clock.now().toISOString(),
          durationSec: 0,
          errorCode: null,
          statusCallback: null,
          metaCallId: 'wacid.dup',
        } as never,
        { msgId: `${callSid}:3:copy${i}` },
      );
    }
    await p.userCall(false);
    expect((await p.state()).consecutiveMissedCalls).toBe(1);
    expect((await entries(p.user)).filter((e) => e.kind === 'call.missed')).toHaveLength(1);
  }, 60_000);

  it('takes up events published while it was down, after a restart', async () => {
    const p = new Pair(h);
    await p.reply('accept');
    await h.stopAll();
    const callSid = newCallSid();
    // Published while no consent instance runs: JetStream keeps them for the durable consumer.
    await p.status(callSid, 'queued', { sequence: 0 });
    await p.status(callSid, 'in-progress', {
      sequence: 1,
      startTime: h.clock.now().toISOString(),
      metaCallId: 'wacid.restart',
    });
    await h.restart(1);
    await h.ledgerHas(`call:${callSid}:outcome`);
    const state = await waitFor(async () => {
      const s = await p.state();
      return s.calls[0]?.used === 1 && s;
    }, 'the connected call to count');
    expect(state.calls[0]).toMatchObject({ used: 1, remaining: 4 });
  }, 60_000);

  it('gives back the slot of a call that failed before reaching Meta', async () => {
    const p = new Pair(h);
    await p.reply('accept');
    for (let i = 0; i < 5; i++) await p.check(newCallSid());
    expect((await p.check(newCallSid())).errorCode).toBe(37006);
    const [reserved] = await h.query<{ call_sid: string }>(
      `SELECT call_sid FROM consent.call_attempts WHERE user_address = $1 AND state = 'reserved' LIMIT 1`,
      [p.user],
    );
    await p.status(reserved!.call_sid, 'failed', {
      sequence: 1,
      metaCallId: null,
      errorCode: 53401,
    });
    await h.ledgerHas(`call:${reserved!.call_sid}:outcome`);
    expect((await p.check(newCallSid())).allowed).toBe(true);
  }, 60_000);
});

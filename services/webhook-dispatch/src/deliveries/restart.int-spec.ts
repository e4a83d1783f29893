import { type ServerResponse } from 'node:http';
import { CallEvents, type Dispatcher, newSid, startDispatcher, waitFor } from '../testing/harness';

describe('webhook-dispatch across a restart', () => {
  let d: Dispatcher;

  beforeAll(async () => {
    d = await startDispatcher('restart');
  }, 60_000);

  afterAll(async () => {
    await d?.close();
  });

  it('loses nothing when stopped mid-flight, and re-sends with the same token', async () => {
    const accountSid = newSid('AC');
    d.authTokens.set(accountSid, 'e'.repeat(32));
    const held: ServerResponse[] = [];
    // The first request is never answered: the dispatcher stops while it is in flight.
    d.receiver.on('/slow', (_req, res) => {
      if (held.length === 0) held.push(res);
      else res.writeHead(200).end();
    });
    const call = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/slow`,
      method: 'POST',
      events: ['ringing', 'completed'],
    });
    await call.publish('ringing');
    await waitFor(() => held.length === 1, 'the first request in flight');

    // Stop mid-flight, publish while nobody consumes, start a new dispatcher.
    const restarting = d.restart();
    await call.publish('completed');
    await restarting;
    held[0]?.destroy();

    const got = await waitFor(() => {
      const all = d.receiver.forCall(call.callSid);
      return all.some((r) => r.params.CallStatus === 'completed') && all;
    }, 'the completed callback after the restart');
    const ringing = got.filter((r) => r.params.CallStatus === 'ringing');
    expect(ringing.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ringing.map((r) => r.headers['i-twilio-idempotency-token']))).toEqual(
      new Set([`${call.callSid}:1`]),
    );
    expect(ringing.every((r) => r.signatureValid && r.params.SequenceNumber === '0')).toBe(true);
    const completed = got.filter((r) => r.params.CallStatus === 'completed');
    expect(completed.map((r) => r.params.SequenceNumber)).toEqual(['1']);
    // Sent after the ringing callback went through.
    expect(got.indexOf(completed[0]!)).toBeGreaterThan(got.lastIndexOf(ringing.at(-1)!));
    await waitFor(async () => {
      const rows = await d.query<{ status: string }>(
        `SELECT status FROM webhook_dispatch.webhook_deliveries WHERE call_sid = $1`,
        [call.callSid],
      );
      return rows.length === 2 && rows.every((r) => r.status === 'delivered');
    }, 'both deliveries recorded as delivered');
  });
});

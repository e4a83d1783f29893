import twilio from 'twilio';
import {
  type Harness,
  provisionTenant,
  publishedEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';
import { ParleyRequestClient } from '../testing/twilio-client';

/**
 * Twilio's Stream resource (`Calls/{CallSid}/Streams.json`): create and stop (by sid or
 * name) on live calls of the owning account, the row media's durable stream events keep,
 * and the durable `calls.v1.stream.status-changed` for the stream's statusCallback.
 * Media is the harness's stand-in, which "opens" each stream at once and reports its start
 * and end durably, as media does.
 */
describe('media streams (the Stream resource)', () => {
  let h: Harness;
  let t: Tenant;
  let other: Tenant;
  let userSeq = 0;
  const base = () => `/2010-04-01/Accounts/${t.account.sid}`;

  const answeredCall = async () => {
    userSeq += 1;
    const waId = `447700902${String(100 + userSeq)}`;
    await h.simClient.createUser({
      waId,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 100 },
    });
    await h.simClient.grantPermission(waId, t.business.phoneNumberId);
    const created = await t.rest.post(`${base()}/Calls.json`, {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Url: 'https://example.com/voice.xml',
    });
    expect(created.status).toBe(201);
    const sid = String(created.body.sid);
    await waitFor(
      async () =>
        (await t.rest.get(`${base()}/Calls/${sid}.json`)).body.status === 'in-progress' || null,
      `call ${sid} in progress`,
    );
    return sid;
  };

  /** The `calls.v1.stream.status-changed` events of a stream, once there are `count`. */
  const statusEvents = (streamSid: string, count: number) =>
    waitFor(async () => {
      const events = await publishedEvents(
        h.bus,
        'calls.v1.stream.status-changed',
        (e) => e.streamSid === streamSid,
      );
      return events.length >= count ? events : null;
    }, `${count} status events of ${streamSid}`);

  const rowOf = async (sid: string) =>
    (
      await h.query<{ status: string; started_at: Date | null; ended_at: Date | null }>(
        'SELECT status, started_at, ended_at FROM call_control.streams WHERE sid = $1',
        [sid],
      )
    )[0];

  beforeAll(async () => {
    h = await startHarness('streams', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    t = await provisionTenant(h);
    other = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('creates a stream with its parameters, stops it by name, and publishes stream-started and stream-stopped', async () => {
    const callSid = await answeredCall();
    const created = await t.rest.post(`${base()}/Calls/${callSid}/Streams.json`, {
      Url: 'wss://agent.example.com/media',
      Name: 'transcriber',
      Track: 'both_tracks',
      StatusCallback: 'https://example.com/stream-events',
      StatusCallbackMethod: 'GET',
      'Parameter1.Name': 'customer',
      'Parameter1.Value': 'Jane',
      'Parameter2.Name': 'plan',
      'Parameter2.Value': 'gold',
    });
    expect(created.status).toBe(201);
    const sid = String(created.body.sid);
    expect(created.body).toEqual({
      sid: expect.stringMatching(/^MZ[0-9a-f]{32}$/) as unknown,
      account_sid: t.account.sid,
      call_sid: callSid,
      name: 'transcriber',
      status: 'in-progress',
      date_updated: expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} [\d:]{8} \+0000$/) as unknown,
      uri: `${base()}/Calls/${callSid}/Streams/${sid}.json`,
    });
    expect(h.peers.streamStarts.find((s) => s.streamSid === sid)).toEqual({
      streamSid: sid,
      accountSid: t.account.sid,
      callSid,
      url: 'wss://agent.example.com/media',
      name: 'transcriber',
      track: 'both_tracks',
      bidirectional: false,
      customParameters: { customer: 'Jane', plan: 'gold' },
      mediaFormat: 'mulaw-8k',
      statusCallback: { url: 'https://example.com/stream-events', method: 'GET' },
    });
    const [started] = await statusEvents(sid, 1);
    expect(started).toMatchObject({
      msgId: `${sid}:stream-started`,
      payload: {
        accountSid: t.account.sid,
        callSid,
        name: 'transcriber',
        event: 'stream-started',
        error: null,
        statusCallback: { url: 'https://example.com/stream-events', method: 'GET' },
      },
    });
    await waitFor(async () => ((await rowOf(sid))?.started_at ? true : null), 'started_at');

    // Another account cannot see or stop it.
    const foreign = await other.rest.post(
      `/2010-04-01/Accounts/${other.account.sid}/Calls/${callSid}/Streams/transcriber.json`,
      { Status: 'stopped' },
    );
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe(20404);
    const crossed = await other.rest.post(`${base()}/Calls/${callSid}/Streams.json`, {
      Url: 'wss://agent.example.com/media',
    });
    expect(crossed.status).toBe(404);
    expect(h.peers.streamStarts.filter((s) => s.callSid === callSid)).toHaveLength(1);

    const stopped = await t.rest.post(`${base()}/Calls/${callSid}/Streams/transcriber.json`, {
      Status: 'stopped',
    });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ sid, name: 'transcriber', status: 'stopped' });
    const events = await statusEvents(sid, 2);
    expect(events.map((e) => [e.payload.event, e.msgId])).toEqual([
      ['stream-started', `${sid}:stream-started`],
      ['stream-stopped', `${sid}:stream-stopped`],
    ]);
    await waitFor(async () => ((await rowOf(sid))?.ended_at ? true : null), 'ended_at');
    expect(await rowOf(sid)).toMatchObject({ status: 'stopped' });

    // Stopping it again answers with the stopped stream.
    const again = await t.rest.post(`${base()}/Calls/${callSid}/Streams/${sid}.json`, {
      Status: 'stopped',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ sid, status: 'stopped' });
  });

  it('refuses bad input with Twilio codes, and calls that are not live', async () => {
    const callSid = await answeredCall();
    const path = `${base()}/Calls/${callSid}/Streams.json`;
    const cases: [Record<string, string>, number][] = [
      [{}, 20001],
      [{ Url: 'https://agent.example.com/media' }, 21205],
      [{ Url: 'wss://a.example.com/', Track: 'sideways' }, 20001],
      [{ Url: 'wss://a.example.com/', StatusCallback: 'not a url' }, 21609],
      [{ Url: 'wss://a.example.com/', StatusCallbackMethod: 'PUT' }, 20001],
    ];
    for (const [form, code] of cases) {
      const res = await t.rest.post(path, form);
      expect([JSON.stringify(form), res.status, res.body.code]).toEqual([
        JSON.stringify(form),
        400,
        code,
      ]);
    }
    const unknownCall = await t.rest.post(`${base()}/Calls/CA${'0'.repeat(32)}/Streams.json`, {
      Url: 'wss://a.example.com/',
    });
    expect(unknownCall.body.code).toBe(20404);
    const unknownStream = await t.rest.post(`${base()}/Calls/${callSid}/Streams/nope.json`, {
      Status: 'stopped',
    });
    expect(unknownStream.body.code).toBe(20404);
    const badStatus = await t.rest.post(`${base()}/Calls/${callSid}/Streams/nope.json`, {
      Status: 'paused',
    });
    expect(badStatus.body.code).toBe(20001);

    expect(
      (await t.rest.post(`${base()}/Calls/${callSid}.json`, { Status: 'completed' })).status,
    ).toBe(200);
    await waitFor(
      async () =>
        (await t.rest.get(`${base()}/Calls/${callSid}.json`)).body.status === 'completed' || null,
      'call completed',
    );
    const ended = await t.rest.post(path, { Url: 'wss://a.example.com/' });
    expect(ended.status).toBe(400);
    expect(ended.body.code).toBe(21220);
  });

  it('records streams the interpreter opened, from media events, and a failed one as stream-error', async () => {
    const callSid = await answeredCall();
    // As the interpreter does for <Start><Stream>: straight to media.
    const streamSid = `MZ${'a'.repeat(32)}`;
    await h.bus.request(
      'media.v1.stream.start',
      {
        streamSid,
        accountSid: t.account.sid,
        callSid,
        url: 'wss://agent.example.com/fork',
        bidirectional: false,
        statusCallback: { url: 'https://example.com/fork-events', method: 'POST' },
      },
      { timeoutMs: 5_000 },
    );
    await statusEvents(streamSid, 1);
    await h.peers.endStream(streamSid, 'failed', {
      code: 31921,
      message: 'the server closed the socket with 1011',
    });
    const events = await statusEvents(streamSid, 2);
    expect(events[1]!.payload).toMatchObject({
      event: 'stream-error',
      error: 'the server closed the socket with 1011',
      errorCode: 31921,
      name: null,
    });
    // It is a Stream resource of the call like any other.
    const stop = await t.rest.post(`${base()}/Calls/${callSid}/Streams/${streamSid}.json`, {
      Status: 'stopped',
    });
    expect(stop.body).toMatchObject({ sid: streamSid, name: streamSid, status: 'stopped' });
  });

  it('works through the official twilio SDK: create with parameters, then stop', async () => {
    const client = twilio(t.account.sid, t.account.authToken, {
      httpClient: new ParleyRequestClient(h.url),
    });
    const callSid = await answeredCall();
    const created = await client.calls(callSid).streams.create({
      url: 'wss://agent.example.com/sdk',
      name: 'sdk',
      'parameter1.name': 'lang',
      'parameter1.value': 'en',
    });
    expect(created).toMatchObject({ callSid, name: 'sdk', status: 'in-progress' });
    expect(h.peers.streamStarts.find((s) => s.streamSid === created.sid)).toMatchObject({
      customParameters: { lang: 'en' },
      track: 'inbound_track',
      statusCallback: null,
    });
    const stopped = await client.calls(callSid).streams('sdk').update({ status: 'stopped' });
    expect(stopped).toMatchObject({ sid: created.sid, status: 'stopped' });
  });
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { newSid, ParleyError, RecordingCompletedV1 } from '@parley/contracts';
import { decodeWav, dominantFrequency } from '@parley/meta-sim';
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

const PUBLIC_URL = 'https://parley.example.com';

/**
 * Recordings of WhatsApp calls: Record=true on Calls.json, start and stop on a live call,
 * the Recording resource, its WAV and its status events. Media is the harness's stand-in,
 * which writes a one-second 440 Hz WAV to the service's recording storage when a recording
 * ends and publishes `media.v1.recording.completed` as media does.
 */
describe('call recordings (the Recording resource)', () => {
  let h: Harness;
  let t: Tenant;
  let other: Tenant;
  let userSeq = 0;
  const base = () => `/2010-04-01/Accounts/${t.account.sid}`;

  const newUser = async () => {
    userSeq += 1;
    const waId = `447700901${String(100 + userSeq)}`;
    await h.simClient.createUser({
      waId,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 100 },
    });
    await h.simClient.grantPermission(waId, t.business.phoneNumberId);
    return waId;
  };

  /** An answered outbound call, with these extra Calls.json parameters. */
  const answeredCall = async (extra: Record<string, string | string[]> = {}) => {
    const waId = await newUser();
    const created = await t.rest.post(`${base()}/Calls.json`, {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Url: 'https://example.com/voice.xml',
      TimeLimit: '600',
      ...extra,
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

  const hangUp = (callSid: string) =>
    t.rest.post(`${base()}/Calls/${callSid}.json`, { Status: 'completed' });

  const recordingOf = (sid: string) => t.rest.get(`${base()}/Recordings/${sid}.json`);

  const waitRecording = (sid: string, status: string) =>
    waitFor(async () => {
      const r = await recordingOf(sid);
      return r.body.status === status ? r.body : null;
    }, `recording ${sid} ${status}`);

  /** Every `calls.v1.recording.status-changed` of a recording, read back from JetStream. */
  const statusEvents = (recordingSid: string) =>
    publishedEvents(
      h.bus,
      'calls.v1.recording.status-changed',
      (e) => e.recordingSid === recordingSid,
    );

  beforeAll(async () => {
    h = await startHarness('recordings', {
      env: { WHATSAPP_NUMBER_CHECK: 'possible', PARLEY_PUBLIC_URL: PUBLIC_URL },
    });
    t = await provisionTenant(h);
    other = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('records a Record=true call from its answer to its end, serves the WAV and publishes each status', async () => {
    const callSid = await answeredCall({
      Record: 'true',
      RecordingChannels: 'dual',
      RecordingStatusCallback: 'https://example.com/recording-status',
      RecordingStatusCallbackMethod: 'GET',
      RecordingStatusCallbackEvent: 'in-progress completed',
    });
    const asked = await waitFor(
      () => h.peers.recordingStarts.find((r) => r.callSid === callSid),
      'media asked to record',
    );
    expect(asked).toMatchObject({
      accountSid: t.account.sid,
      channels: 'dual',
      track: 'both',
      source: 'OutboundAPI',
      maxLengthSec: 600,
    });
    const sid = asked.recordingSid;

    const live = await t.rest.get(`${base()}/Calls/${callSid}/Recordings.json`);
    expect(live.status).toBe(200);
    expect(live.body.recordings).toEqual([
      expect.objectContaining({
        sid,
        call_sid: callSid,
        account_sid: t.account.sid,
        status: 'in-progress',
        duration: '-1',
        channels: 2,
        source: 'OutboundAPI',
        track: 'both',
        uri: `${base()}/Recordings/${sid}.json`,
        media_url: `${PUBLIC_URL}${base()}/Recordings/${sid}`,
      }),
    ]);

    expect((await hangUp(callSid)).status).toBe(200);
    const done = await waitRecording(sid, 'completed');
    expect(done).toMatchObject({ duration: '1', error_code: null, channels: 2 });
    const [row] = await h.query<{ storage_uri: string }>(
      'SELECT storage_uri FROM call_control.recordings WHERE sid = $1',
      [sid],
    );
    const stored = await readFile(fileURLToPath(row!.storage_uri));

    for (const path of [`${base()}/Recordings/${sid}.wav`, `${base()}/Recordings/${sid}`]) {
      const res = await fetch(h.url + path, {
        headers: { authorization: basic(t.account.sid, t.account.authToken) },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/x-wav');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(stored)).toBe(true);
      const wav = decodeWav(body);
      expect(wav.channels).toBe(2);
      // Interleaved stereo: the first channel's samples are every other one.
      const first = wav.samples.filter((_, i) => i % 2 === 0);
      expect(dominantFrequency(first, { sampleRate: wav.sampleRate })).toBeCloseTo(440, -1);
    }
    const mp3 = await t.rest.get(`${base()}/Recordings/${sid}.mp3`);
    expect(mp3.status).toBe(400);
    expect(mp3.body.code).toBe(20001);

    const events = await waitFor(async () => {
      const e = await statusEvents(sid);
      return e.length === 2 ? e : null;
    }, 'both status events');
    expect(events.map((e) => [e.payload.status, e.msgId])).toEqual([
      ['in-progress', `${sid}:in-progress`],
      ['completed', `${sid}:completed`],
    ]);
    expect(events[1]!.payload).toMatchObject({
      accountSid: t.account.sid,
      callSid,
      source: 'OutboundAPI',
      channels: 2,
      durationSec: 1,
      errorCode: null,
      mediaUrl: `${PUBLIC_URL}${base()}/Recordings/${sid}`,
      statusCallback: {
        url: 'https://example.com/recording-status',
        method: 'GET',
        events: ['in-progress', 'completed'],
      },
    });
    expect(events[0]!.payload).toMatchObject({ durationSec: null, mediaUrl: null });
  });

  it('starts and stops a recording of a live call through Calls/{Sid}/Recordings', async () => {
    const callSid = await answeredCall();
    const started = await t.rest.post(`${base()}/Calls/${callSid}/Recordings.json`, {
      RecordingTrack: 'inbound',
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      status: 'in-progress',
      source: 'StartCallRecordingAPI',
      track: 'inbound',
      channels: 1,
    });
    const sid = String(started.body.sid);
    const path = `${base()}/Calls/${callSid}/Recordings/${sid}.json`;

    const paused = await t.rest.post(path, { Status: 'paused' });
    expect(paused.status).toBe(400);
    expect(paused.body.code).toBe(20001);
    const deleting = await t.rest.delete(path);
    expect(deleting.status).toBe(400);
    expect(deleting.body.code).toBe(21220);

    expect((await t.rest.post(path, { Status: 'stopped' })).status).toBe(200);
    await waitRecording(sid, 'completed');
    expect((await t.rest.post(path, { Status: 'stopped' })).body.code).toBe(21220);
    // The call goes on after its recording stopped.
    expect((await t.rest.get(`${base()}/Calls/${callSid}.json`)).body.status).toBe('in-progress');

    await hangUp(callSid);
    const late = await t.rest.post(`${base()}/Calls/${callSid}/Recordings.json`, {});
    expect(late.status).toBe(400);
    expect(late.body.code).toBe(21220);
  });

  it('keeps a recording media refused as failed, with its code, and lets the call go on', async () => {
    h.peers.recordingRefusal = new ParleyError(53401, 'no room for another recording');
    try {
      const callSid = await answeredCall({ Record: 'true' });
      // The row exists (in-progress) before media's refusal is written: wait for the end state.
      const [rec] = await waitFor(async () => {
        const list = (await t.rest.get(`${base()}/Calls/${callSid}/Recordings.json`)).body
          .recordings as Record<string, unknown>[];
        // The row exists (in-progress) from before media is asked; wait for media's answer.
        return list.length && list[0]?.status !== 'in-progress' ? list : null;
      }, 'the failed recording');
      expect(rec).toMatchObject({ status: 'failed', error_code: 53401, duration: '0' });
      expect((await t.rest.get(`${base()}/Calls/${callSid}.json`)).body.status).toBe('in-progress');
      const refused = await t.rest.post(`${base()}/Calls/${callSid}/Recordings.json`, {});
      expect(refused.status).toBe(502);
      expect(refused.body.code).toBe(53401);
      await hangUp(callSid);
    } finally {
      h.peers.recordingRefusal = null;
    }
  });

  it('adopts recordings other services started (the <Record> verb) and ignores unknown calls', async () => {
    const callSid = await answeredCall();
    const recordingSid = newSid('RE');
    const completed = RecordingCompletedV1.parse({
      recordingSid,
      accountSid: t.account.sid,
      callSid,
      source: 'RecordVerb',
      track: 'inbound',
      status: 'absent',
      reason: 'silence',
      finishedOnKey: null,
      durationSec: 0,
      channels: 1,
      storageUri: null,
      sizeBytes: 0,
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    });
    await h.bus.publishDurable('media.v1.recording.completed', completed, { msgId: recordingSid });
    const adopted = await waitRecording(recordingSid, 'absent');
    expect(adopted).toMatchObject({ source: 'RecordVerb', track: 'inbound', call_sid: callSid });
    const media = await t.rest.get(`${base()}/Recordings/${recordingSid}.wav`);
    expect(media.status).toBe(404);

    // A recording naming a call of another account is not attached to anything.
    const stray = newSid('RE');
    await h.bus.publishDurable(
      'media.v1.recording.completed',
      RecordingCompletedV1.parse({
        ...completed,
        recordingSid: stray,
        accountSid: other.account.sid,
      }),
      { msgId: stray },
    );
    // Published after the stray one on the same consumer: once it is in, the stray was seen.
    const marker = newSid('RE');
    await h.bus.publishDurable(
      'media.v1.recording.completed',
      { ...completed, recordingSid: marker },
      { msgId: marker },
    );
    await waitRecording(marker, 'absent');
    expect(
      await h.query('SELECT sid FROM call_control.recordings WHERE sid = $1', [stray]),
    ).toEqual([]);
    await hangUp(callSid);
  });

  it('keeps recordings to their account, and deletes one with its audio', async () => {
    const callSid = await answeredCall({ Record: 'true' });
    await hangUp(callSid);
    const list = await waitFor(async () => {
      const r = await t.rest.get(`${base()}/Recordings.json?CallSid=${callSid}`);
      const recs = r.body.recordings as { sid: string; status: string }[];
      return recs.length === 1 && recs[0]!.status === 'completed' ? recs : null;
    }, 'the completed recording');
    const sid = list[0]!.sid;
    const [row] = await h.query<{ storage_uri: string }>(
      'SELECT storage_uri FROM call_control.recordings WHERE sid = $1',
      [sid],
    );
    const file = fileURLToPath(row!.storage_uri);
    expect(existsSync(file)).toBe(true);

    // Another account sees nothing, even with the sid in its own path.
    const theirs = `/2010-04-01/Accounts/${other.account.sid}`;
    for (const path of [
      `${theirs}/Recordings/${sid}.json`,
      `${theirs}/Recordings/${sid}.wav`,
      `${theirs}/Calls/${callSid}/Recordings.json`,
    ]) {
      const res = await other.rest.get(path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe(20404);
    }
    expect((await other.rest.delete(`${theirs}/Recordings/${sid}.json`)).status).toBe(404);
    // With the owner's AccountSid in the path, another account's credentials get nowhere.
    const foreign = await other.rest.get(`${base()}/Recordings/${sid}.json`);
    expect([401, 404]).toContain(foreign.status);
    expect(foreign.body.sid).toBeUndefined();
    const listed = await other.rest.get(`${theirs}/Recordings.json`);
    expect((listed.body.recordings as unknown[]).length).toBe(0);

    expect((await t.rest.delete(`${base()}/Recordings/${sid}.json`)).status).toBe(204);
    expect(existsSync(file)).toBe(false);
    expect((await recordingOf(sid)).status).toBe(404);
  });

  it('works through the official twilio SDK: list, fetch, create, update and remove', async () => {
    const client = twilio(t.account.sid, t.account.authToken, {
      httpClient: new ParleyRequestClient(h.url),
    });
    const callSid = await answeredCall();
    const created = await client.calls(callSid).recordings.create({ recordingChannels: 'dual' });
    expect(created).toMatchObject({
      callSid,
      status: 'in-progress',
      channels: 2,
      source: 'StartCallRecordingAPI',
    });
    const stopped = await client
      .calls(callSid)
      .recordings(created.sid)
      .update({ status: 'stopped' });
    expect(stopped.sid).toBe(created.sid);
    await waitRecording(created.sid, 'completed');
    const fetched = await client.recordings(created.sid).fetch();
    expect(fetched).toMatchObject({ sid: created.sid, duration: '1', status: 'completed' });
    const listed = await client.recordings.list({ callSid });
    expect(listed.map((r) => r.sid)).toEqual([created.sid]);
    expect(await client.calls(callSid).recordings(created.sid).remove()).toBe(true);
    await expect(client.recordings(created.sid).fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
    await hangUp(callSid);
  });
});

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

import { newSid, type RecordingCompletedV1 } from '@parley/contracts';
import { runCli } from '../admin/cli';
import {
  type Harness,
  provisionTenant,
  publishedEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

/**
 * Recording metadata is never lost: a completion call-control cannot process goes to the
 * dead letters (with a metric) after RECORDINGS_MAX_DELIVER deliveries, an operator
 * re-drives it, and recordings media never reported are closed from their stored files.
 */
describe('recording durability (dead letters and the reconciler)', () => {
  let h: Harness;
  let t: Tenant;
  let userSeq = 0;
  const base = () => `/2010-04-01/Accounts/${t.account.sid}`;

  beforeAll(async () => {
    h = await startHarness('rec-durable', {
      env: {
        WHATSAPP_NUMBER_CHECK: 'possible',
        RECORDINGS_MAX_DELIVER: '2',
        RECORDING_RECONCILE_MS: '200',
        RECORDING_RECONCILE_GRACE_SEC: '1',
        DEAD_LETTER_REDRIVE_MS: '200',
      },
    });
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

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

  const startRecording = async (callSid: string) => {
    const started = await t.rest.post(`${base()}/Calls/${callSid}/Recordings.json`, {});
    expect(started.status).toBe(201);
    return String(started.body.sid);
  };

  const recording = async (sid: string) =>
    (await t.rest.get(`${base()}/Recordings/${sid}.json`)).body;

  const deadLetters = () =>
    h.query<{
      id: string;
      consumer: string;
      status: string;
      deliveries: number;
      last_error: string;
      payload: { recordingSid: string };
    }>(
      'SELECT id, consumer, status, deliveries, last_error, payload FROM call_control.dead_letters ORDER BY id',
    );

  const admin = async (args: string[]) => {
    const lines: string[] = [];
    const code = await runCli(
      [...args, '--json'],
      { DATABASE_URL: h.db.url, NODE_ENV: 'development' },
      { out: (l) => lines.push(l) },
    );
    expect(code).toBe(0);
    return JSON.parse(lines.join('\n')) as unknown;
  };

  it('dead-letters a completion that failed every delivery, counts it, and re-drives it on request', async () => {
    const callSid = await answeredCall();
    const recordingSid = await startRecording(callSid);
    // JetStream loses the stream of call events: the completion can be stored but its
    // status event cannot be published, so every delivery fails.
    const jsm = await h.nc.jetstreamManager();
    const callsStream = h.bus.jetStreamName('PARLEY_CALLS');
    const config = (await jsm.streams.info(callsStream)).config;
    await jsm.streams.delete(callsStream);

    const stop = await t.rest.post(`${base()}/Calls/${callSid}/Recordings/${recordingSid}.json`, {
      Status: 'stopped',
    });
    expect(stop.status).toBe(200);
    const [letter] = await waitFor(async () => {
      const rows = await deadLetters();
      return rows.some((r) => r.payload.recordingSid === recordingSid) ? rows : null;
    }, 'the completion in the dead letters');
    expect(letter).toMatchObject({
      consumer: 'call-control.recording-completions',
      status: 'dead',
      deliveries: 2,
    });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^parley_dead_letters\{[^}]*consumer="call-control.recording-completions"[^}]*\} 1$/m,
    );
    expect(metrics).toMatch(
      /^parley_dead_letters_total\{[^}]*consumer="call-control.recording-completions"[^}]*\} 1$/m,
    );
    const listed = (await admin(['dead-letters:list'])) as { id: string; status: string }[];
    expect(listed).toEqual([expect.objectContaining({ id: letter?.id, status: 'dead' })]);

    // The stream is back; the operator re-drives: the status event goes out once.
    await jsm.streams.add(config);
    expect(await admin(['dead-letters:redrive', '--all'])).toEqual({ marked_for_redrive: 1 });
    await waitFor(
      async () => (await deadLetters())[0]?.status === 'redriven' || null,
      'the dead letter re-driven',
    );
    const events = await publishedEvents(
      h.bus,
      'calls.v1.recording.status-changed',
      (e) => e.recordingSid === recordingSid,
    );
    expect(events.map((e) => [e.payload.status, e.msgId])).toEqual([
      ['completed', `${recordingSid}:completed`],
    ]);
    expect(await recording(recordingSid)).toMatchObject({ status: 'completed', duration: '1' });
    expect(await (await fetch(`${h.url}/metrics`)).text()).not.toMatch(
      /^parley_dead_letters\{[^}]*\} [1-9]/m,
    );
    await t.rest.post(`${base()}/Calls/${callSid}.json`, { Status: 'completed' });
  });

  it('dead-letters at once a completion that names no call of its account', async () => {
    const stray = newSid('RE');
    const completion: RecordingCompletedV1 = {
      recordingSid: stray,
      accountSid: t.account.sid as RecordingCompletedV1['accountSid'],
      callSid: newSid('CA'),
      source: 'RecordVerb',
      track: 'both',
      status: 'completed',
      reason: 'hangup',
      finishedOnKey: null,
      durationSec: 3,
      channels: 1,
      storageUri: null,
      sizeBytes: 0,
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    };
    await h.bus.publishDurable('media.v1.recording.completed', completion, { msgId: stray });
    const letter = await waitFor(
      async () => (await deadLetters()).find((r) => r.payload.recordingSid === stray),
      'the stray completion in the dead letters',
    );
    expect(letter).toMatchObject({ status: 'dead', deliveries: 1 });
    expect(letter.last_error).toContain('names no call');
  });

  it('closes recordings media never reported: completed from the stored file, failed without one', async () => {
    const callSid = await answeredCall();
    const withFile = await startRecording(callSid);
    const withoutFile = await startRecording(callSid);
    // media dies: one WAV reached storage, the other did not; neither was reported.
    await h.peers.abandonRecording(withFile, { wav: true });
    await h.peers.abandonRecording(withoutFile, { wav: false });
    await t.rest.post(`${base()}/Calls/${callSid}.json`, { Status: 'completed' });

    const closed = await waitFor(async () => {
      const a = await recording(withFile);
      return a.status === 'completed' ? a : null;
    }, 'the recording with a file completed');
    expect(closed).toMatchObject({ duration: '2', channels: 1, error_code: null });
    const failed = await waitFor(async () => {
      const b = await recording(withoutFile);
      return b.status === 'failed' ? b : null;
    }, 'the recording without a file failed');
    expect(failed).toMatchObject({ error_code: 20500 });
    const auth = Buffer.from(`${t.account.sid}:${t.account.authToken}`).toString('base64');
    const media = await fetch(`${h.url}${base()}/Recordings/${withFile}.wav`, {
      headers: { authorization: `Basic ${auth}` },
    });
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer()).length).toBeGreaterThan(2 * 16000);
    const events = await publishedEvents(h.bus, 'calls.v1.recording.status-changed', (e) =>
      [withFile, withoutFile].includes(e.recordingSid),
    );
    expect(events.map((e) => e.msgId).sort()).toEqual(
      [
        `${withFile}:in-progress`,
        `${withFile}:completed`,
        `${withoutFile}:in-progress`,
        `${withoutFile}:failed`,
      ].sort(),
    );
  });
});

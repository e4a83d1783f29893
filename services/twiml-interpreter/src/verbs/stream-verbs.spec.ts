import { ParleyError, type ErrorCode, type StreamEndedV1 } from '@parley/contracts';
import { parseTwiml, type Verb as TwimlVerb } from '@parley/twiml';
import { type DocumentRequest } from '../documents/document-source';
import { abortReason } from '../runtime/errors';
import { type CallContext, type StreamRequest } from '../runtime/ports';
import { DigitBuffer } from '../runtime/waiters';
import { type Verb } from './verb';
import { VerbRegistry } from './verb-registry';

const CALL_SID = 'CA00000000000000000000000000000001';

function verbOf(xml: string): TwimlVerb {
  const parsed = parseTwiml(`<Response>${xml}</Response>`);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.document.verbs[0]!;
}

/** A call whose streams the test ends, recording what the verbs asked for. */
function fakeCall(options: { refuse?: ParleyError } = {}) {
  const started: StreamRequest[] = [];
  const stoppedNames: string[] = [];
  const warnings: { code: ErrorCode; message: string }[] = [];
  let finish: ((e: StreamEndedV1) => void) | null = null;
  let answered = false;
  const controller = new AbortController();
  const ctx: CallContext = {
    callSid: CALL_SID as CallContext['callSid'],
    signal: controller.signal,
    digits: new DigitBuffer(),
    line: {
      get answered() {
        return answered;
      },
      answer: () => {
        answered = true;
        return Promise.resolve();
      },
      reject: () => Promise.resolve(),
      hangup: () => Promise.resolve(),
    },
    media: {
      play: () => Promise.reject(new Error('not used')),
      record: () => Promise.reject(new Error('not used')),
    },
    streams: {
      startStream: (request) => {
        if (options.refuse) return Promise.reject(options.refuse);
        started.push(request);
        return Promise.resolve();
      },
      connectStream: (request, signal) => {
        if (options.refuse) return Promise.reject(options.refuse);
        started.push(request);
        return new Promise<StreamEndedV1>((resolve, reject) => {
          finish = resolve;
          signal.addEventListener('abort', () => reject(abortReason(signal)));
        });
      },
      stopStreams: (name) => {
        stoppedNames.push(name);
        return Promise.resolve(name === 'fork' ? 1 : 0);
      },
    },
    dial: { place: () => Promise.reject(new Error('not used')) },
    parameters: { CallSid: CALL_SID },
    resolveUrl: (url) => new URL(url, 'https://app.example.com/voice').toString(),
    request: (url, method, extra): DocumentRequest => ({
      source: {
        kind: 'url',
        url: new URL(url ?? '', 'https://app.example.com/voice').toString(),
        method,
        fallback: null,
      },
      parameters: { CallSid: CALL_SID, ...extra },
    }),
    warn: (code, message) => warnings.push({ code, message }),
    checkpoint: () => Promise.resolve(),
    withSignal: () => ctx,
  };
  return {
    ctx,
    started,
    stoppedNames,
    warnings,
    isAnswered: () => answered,
    end: (e: Pick<StreamEndedV1, 'reason' | 'errorCode'>) =>
      finish?.({
        streamSid: started[0]!.streamSid,
        callSid: CALL_SID as StreamEndedV1['callSid'],
        accountSid: `AC${'0'.repeat(32)}` as StreamEndedV1['accountSid'],
        name: null,
        url: started[0]!.url,
        track: started[0]!.track,
        bidirectional: started[0]!.bidirectional,
        statusCallback: started[0]!.statusCallback,
        errorMessage: null,
        endedAt: new Date().toISOString(),
        ...e,
      }),
    hangUp: () => controller.abort(new Error('caller hung up')),
  };
}

describe('<Connect><Stream>, <Start><Stream>, <Stop><Stream>', () => {
  const registry = new VerbRegistry();
  const run = (node: TwimlVerb, ctx: CallContext) =>
    (registry.create(node) as Verb<TwimlVerb>).execute(node, ctx);

  it('<Connect>: answers, opens a bidirectional stream with its parameters, and lasts until the socket closes', async () => {
    const call = fakeCall();
    const outcome = run(
      verbOf(
        '<Connect><Stream url="wss://agent.example.com/media" track="both_tracks">' +
          '<Parameter name="customer" value="Jane"/><Parameter name="plan" value="gold"/>' +
          '</Stream></Connect>',
      ),
      call.ctx,
    );
    await new Promise(setImmediate);
    expect(call.isAnswered()).toBe(true);
    expect(call.started).toEqual([
      {
        streamSid: expect.stringMatching(/^MZ[0-9a-f]{32}$/) as unknown,
        url: 'wss://agent.example.com/media',
        track: 'inbound_track',
        bidirectional: true,
        customParameters: { customer: 'Jane', plan: 'gold' },
        mediaFormat: 'mulaw-8k',
        statusCallback: null,
      },
    ]);
    let settled = false;
    void outcome.then(() => (settled = true));
    await new Promise(setImmediate);
    expect(settled).toBe(false);
    call.end({ reason: 'closed', errorCode: null });
    await expect(outcome).resolves.toEqual({ next: 'continue' });
    expect(call.warnings).toEqual([]);
  });

  it('<Connect action>: requested when the stream ends; a failed stream is on the timeline', async () => {
    const call = fakeCall();
    const outcome = run(
      verbOf('<Connect action="/after"><Stream url="wss://agent.example.com/"/></Connect>'),
      call.ctx,
    );
    await new Promise(setImmediate);
    call.end({ reason: 'failed', errorCode: 31920 });
    await expect(outcome).resolves.toMatchObject({
      next: 'fetch',
      via: 'action',
      request: { source: { url: 'https://app.example.com/after', method: 'POST' } },
    });
    expect(call.warnings.map((w) => w.code)).toEqual([31920]);
  });

  it('<Connect>: a stream media refuses (not ws/wss) is reported and the document goes on', async () => {
    const call = fakeCall({ refuse: new ParleyError(31920, 'Stream url must be ws:// or wss://') });
    await expect(
      run(verbOf('<Connect><Stream url="https://agent.example.com/"/></Connect>'), call.ctx),
    ).resolves.toEqual({ next: 'continue' });
    expect(call.warnings.map((w) => w.code)).toEqual([31920]);
  });

  it('<Connect>: the caller hanging up ends the verb with the abort', async () => {
    const call = fakeCall();
    const outcome = run(
      verbOf('<Connect><Stream url="wss://a.example.com/"/></Connect>'),
      call.ctx,
    );
    await new Promise(setImmediate);
    call.hangUp();
    await expect(outcome).rejects.toThrow('caller hung up');
  });

  it('<Connect> with a noun Parley does not run yet is skipped with 13750', async () => {
    const call = fakeCall();
    await expect(run(verbOf('<Connect><Room>standup</Room></Connect>'), call.ctx)).resolves.toEqual(
      { next: 'continue' },
    );
    expect(call.warnings.map((w) => w.code)).toEqual([13750]);
  });

  it('<Start>: forks listen-only streams and goes on at once; <Stop> ends them by name', async () => {
    const call = fakeCall();
    await expect(
      run(
        verbOf(
          '<Start><Stream name="fork" url="wss://rec.example.com/" track="both_tracks"/></Start>',
        ),
        call.ctx,
      ),
    ).resolves.toEqual({ next: 'continue' });
    expect(call.started).toMatchObject([
      { name: 'fork', track: 'both_tracks', bidirectional: false, customParameters: {} },
    ]);
    await run(verbOf('<Stop><Stream name="fork"/></Stop>'), call.ctx);
    await run(verbOf('<Stop><Stream name="other"/></Stop>'), call.ctx);
    expect(call.stoppedNames).toEqual(['fork', 'other']);
    expect(call.warnings.map((w) => w.code)).toEqual([12200]);
  });

  it('the reserved parley.mediaFormat parameter opts into 16 kHz PCM, and is not passed on', async () => {
    const call = fakeCall();
    await run(
      verbOf(
        '<Start><Stream name="asr" url="wss://asr.example.com/">' +
          '<Parameter name="parley.mediaFormat" value="l16-16k"/><Parameter name="lang" value="en"/>' +
          '</Stream></Start>',
      ),
      call.ctx,
    );
    expect(call.started).toMatchObject([
      { mediaFormat: 'l16-16k', customParameters: { lang: 'en' } },
    ]);
    await run(
      verbOf(
        '<Start><Stream url="wss://asr.example.com/">' +
          '<Parameter name="parley.mediaFormat" value="opus-96k"/></Stream></Start>',
      ),
      call.ctx,
    );
    expect(call.started).toHaveLength(1);
    expect(call.warnings.map((w) => w.code)).toEqual([12200]);
  });

  it("passes <Stream statusCallback> on, resolved against the document's URL, with its method", async () => {
    const call = fakeCall();
    await run(
      verbOf(
        '<Start><Stream url="wss://asr.example.com/" statusCallback="/stream-events" ' +
          'statusCallbackMethod="GET"/><Stream url="wss://b.example.com/"/></Start>',
      ),
      call.ctx,
    );
    expect(call.started).toMatchObject([
      { statusCallback: { url: 'https://app.example.com/stream-events', method: 'GET' } },
      { statusCallback: null },
    ]);
  });
});

import { type PlayFinishedV1, type PromptSource } from '@parley/contracts';
import { parseTwiml, type GatherVerb as GatherNode } from '@parley/twiml';
import { type DocumentRequest } from '../documents/document-source';
import { abortReason } from '../runtime/errors';
import { type CallContext } from '../runtime/ports';
import { DigitBuffer } from '../runtime/waiters';
import { VerbRegistry } from './verb-registry';

function gather(xml: string): GatherNode {
  const parsed = parseTwiml(`<Response>${xml}</Response>`);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const verb = parsed.document.verbs[0];
  if (verb?.kind !== 'Gather') throw new Error('not a Gather');
  return verb;
}

/** A call whose prompts last until stopped, and whose keys the test presses. */
function fakeCall() {
  const digits = new DigitBuffer();
  const played: PromptSource[] = [];
  const stopped: PromptSource[] = [];
  let answered = false;
  const make = (signal: AbortSignal): CallContext => ({
    callSid: 'CA00000000000000000000000000000001' as CallContext['callSid'],
    signal,
    digits,
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
      play: (source, _loop, playSignal) =>
        new Promise<PlayFinishedV1>((_resolve, reject) => {
          played.push(source);
          playSignal.addEventListener('abort', () => {
            stopped.push(source);
            reject(abortReason(playSignal));
          });
        }),
      record: () => Promise.reject(new Error('not used')),
    },
    streams: {
      startStream: () => Promise.reject(new Error('not used')),
      connectStream: () => Promise.reject(new Error('not used')),
      stopStreams: () => Promise.reject(new Error('not used')),
    },
    resolveUrl: (url) => new URL(url, 'https://app.example.com/ivr/start').toString(),
    request: (url, method, extra): DocumentRequest => ({
      source: {
        kind: 'url',
        url: new URL(url ?? '', 'https://app.example.com/ivr/start').toString(),
        method,
        fallback: null,
      },
      parameters: { CallSid: 'CA00000000000000000000000000000001', ...extra },
    }),
    dial: { place: () => Promise.reject(new Error('not used')) },
    parameters: { CallSid: 'CA00000000000000000000000000000001' },
    warn: () => undefined,
    checkpoint: () => Promise.resolve(),
    withSignal: (other) => make(other),
  });
  const controller = new AbortController();
  return {
    ctx: make(controller.signal),
    digits,
    played,
    stopped,
    hangUp: () => controller.abort(new Error('caller hung up')),
    isAnswered: () => answered,
  };
}

describe('Gather', () => {
  const registry = new VerbRegistry();

  it('interrupts its prompt on the first key and posts the digits to the action', async () => {
    const call = fakeCall();
    const node = gather(
      '<Gather action="/menu" numDigits="2"><Say>Press two keys</Say><Play>beep.wav</Play></Gather>',
    );
    const running = registry.create(node).execute(node, call.ctx);
    await new Promise((resolve) => setImmediate(resolve));
    expect(call.isAnswered()).toBe(true);
    call.digits.push('4');
    call.digits.push('2');
    const outcome = await running;
    expect(call.played).toEqual([
      { kind: 'say', text: 'Press two keys', voice: 'man', language: 'en-US' },
    ]);
    expect(call.stopped).toHaveLength(1);
    expect(outcome).toEqual({
      next: 'fetch',
      via: 'action',
      request: {
        source: {
          kind: 'url',
          url: 'https://app.example.com/menu',
          method: 'POST',
          fallback: null,
        },
        parameters: {
          CallSid: 'CA00000000000000000000000000000001',
          Digits: '42',
          FinishedOnKey: '',
        },
      },
    });
  });

  it('stops at finishOnKey, which is not part of the digits', async () => {
    const call = fakeCall();
    const node = gather('<Gather action="next" method="GET"/>');
    const running = registry.create(node).execute(node, call.ctx);
    await new Promise((resolve) => setImmediate(resolve));
    for (const key of '12#9') call.digits.push(key);
    const outcome = await running;
    expect(outcome).toMatchObject({
      next: 'fetch',
      request: { parameters: { Digits: '12', FinishedOnKey: '#' }, source: { method: 'GET' } },
    });
  });

  it('treats # as a digit when finishOnKey is empty', async () => {
    const call = fakeCall();
    const node = gather('<Gather finishOnKey="" numDigits="3"/>');
    const running = registry.create(node).execute(node, call.ctx);
    await new Promise((resolve) => setImmediate(resolve));
    for (const key of '1#2') call.digits.push(key);
    expect(await running).toMatchObject({ request: { parameters: { Digits: '1#2' } } });
  });

  it('continues the document when nobody presses a key', async () => {
    jest.useFakeTimers();
    try {
      const call = fakeCall();
      const node = gather('<Gather timeout="3"/>');
      const running = registry.create(node).execute(node, call.ctx);
      await jest.advanceTimersByTimeAsync(3_000);
      expect(await running).toEqual({ next: 'continue' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('requests the action without digits when actionOnEmptyResult is set', async () => {
    jest.useFakeTimers();
    try {
      const call = fakeCall();
      const node = gather('<Gather timeout="1" actionOnEmptyResult="true" action="/empty"/>');
      const running = registry.create(node).execute(node, call.ctx);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await running).toMatchObject({
        next: 'fetch',
        request: { parameters: { Digits: '' } },
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends with the call when the caller hangs up during the prompt', async () => {
    const call = fakeCall();
    const node = gather('<Gather><Say>Hello</Say></Gather>');
    const running = registry.create(node).execute(node, call.ctx);
    await new Promise((resolve) => setImmediate(resolve));
    call.hangUp();
    await expect(running).rejects.toThrow('caller hung up');
  });
});

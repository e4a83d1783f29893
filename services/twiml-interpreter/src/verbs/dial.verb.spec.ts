import { type CallStatus, ParleyError } from '@parley/contracts';
import { type DialVerb as DialNode } from '@parley/twiml';
import { CHILD_SID, FakeCall, settle, verbOf } from '../testing/fake-call';
import { type VerbOutcome } from './verb';
import { VerbRegistry } from './verb-registry';

const CALLER_ID = 'whatsapp:+558551234567';
const USER = '+555551234567';

function dialXml(attributes = '', noun = `<WhatsApp>${USER}</WhatsApp>`): DialNode {
  return verbOf('Dial', `<Dial callerId="${CALLER_ID}" ${attributes}>${noun}</Dial>`);
}

/** Starts the verb; the test drives the child, then awaits the outcome. */
function run(call: FakeCall, node: DialNode) {
  const verb = new VerbRegistry().create(node);
  const outcome = verb.execute(node, call.ctx).finally(async () => {
    if (call.ctx.signal.aborted) await verb.abort();
  });
  outcome.catch(() => undefined);
  return outcome;
}

function actionParams(outcome: VerbOutcome): Readonly<Record<string, string>> {
  if (outcome.next !== 'fetch' && outcome.next !== 'notify') throw new Error(outcome.next);
  return outcome.request.parameters;
}

describe('Dial <WhatsApp>', () => {
  // One row per way a dial ends, as the action URL's DialCallStatus reports it.
  const outcomes: {
    rule: string;
    steps: (CallStatus | 'bridged')[];
    duration: number | null;
    expected: Record<string, string>;
  }[] = [
    {
      rule: 'answered and connected, then the called party hangs up: completed, with the duration',
      steps: ['ringing', 'in-progress', 'bridged', 'completed'],
      duration: 42,
      expected: { DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '42' },
    },
    {
      rule: 'the user declines: busy',
      steps: ['ringing', 'busy'],
      duration: null,
      expected: { DialCallStatus: 'busy', DialBridged: 'false', DialCallDuration: '0' },
    },
    {
      rule: 'nobody answers within timeout: no-answer',
      steps: ['ringing', 'no-answer'],
      duration: null,
      expected: { DialCallStatus: 'no-answer', DialBridged: 'false' },
    },
    {
      rule: 'Meta could not place the call: failed',
      steps: ['failed'],
      duration: null,
      expected: { DialCallStatus: 'failed', DialBridged: 'false' },
    },
    {
      rule: 'the child is canceled through the REST API while it rings: canceled',
      steps: ['ringing', 'canceled'],
      duration: null,
      expected: { DialCallStatus: 'canceled', DialBridged: 'false' },
    },
  ];

  it.each(outcomes)('$rule', async ({ steps, duration, expected }) => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('action="/after" method="GET"'));
    await settle('the dial', () => call.children.length === 1);
    for (const step of steps) {
      if (step === 'bridged') await settle('the bridge', () => call.child.log.includes('bridge'));
      else call.child.report(step, step === 'completed' ? duration : null);
    }
    const result = await outcome;
    expect(result).toMatchObject({
      next: 'fetch',
      via: 'action',
      request: { source: { url: 'https://app.example.com/after', method: 'GET' } },
    });
    expect(actionParams(result)).toMatchObject({ ...expected, DialCallSid: CHILD_SID });
    expect(call.child.log).toContain('release');
  });

  it('places the child from the callerId sender with timeout, timeLimit and the noun statusCallback', async () => {
    const call = new FakeCall();
    const outcome = run(
      call,
      dialXml(
        'timeout="12" timeLimit="90"',
        `<WhatsApp statusCallback="/status" statusCallbackEvent="ringing answered">whatsapp:${USER}</WhatsApp>`,
      ),
    );
    await settle('the dial', () => call.children.length === 1);
    expect(call.child.request).toEqual({
      from: CALLER_ID,
      to: `whatsapp:${USER}`,
      timeoutSec: 12,
      timeLimitSec: 90,
      statusCallback: {
        url: 'https://app.example.com/status',
        method: 'POST',
        events: ['ringing', 'answered'],
      },
    });
    call.child.report('no-answer');
    await expect(outcome).resolves.toEqual({ next: 'continue' });
  });

  it('without action, the document continues after the dial', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml());
    await settle('the dial', () => call.children.length === 1);
    call.child.report('busy');
    await expect(outcome).resolves.toEqual({ next: 'continue' });
  });

  it('answers the caller first and plays ringback until the child answers, then bridges', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('ringTone="de"'));
    await settle('the dial', () => call.children.length === 1);
    call.child.report('ringing');
    call.child.report('in-progress');
    await settle('the bridge', () => call.child.log.includes('bridge'));
    expect(call.events.slice(0, 5)).toEqual([
      'answer',
      'play:ringback:parent',
      'dial',
      'stop:ringback',
      'bridge',
    ]);
    expect(call.prompts[0]?.source).toEqual({ kind: 'ringback', country: 'de' });
    call.child.report('completed', 3);
    await expect(outcome).resolves.toEqual({ next: 'continue' });
    expect(call.child.log).toContain('unbridge');
  });

  it('answerOnBridge keeps the caller ringing (no ringback from us) until the child answers', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('answerOnBridge="true"'));
    await settle('the dial', () => call.children.length === 1);
    call.child.report('ringing');
    await new Promise((resolve) => setImmediate(resolve));
    expect(call.answered).toBe(false);
    call.child.report('in-progress');
    await settle('the bridge', () => call.child.log.includes('bridge'));
    expect(call.events).toEqual(['dial', 'answer', 'bridge']);
    call.child.report('completed', 1);
    await outcome;
  });

  it('answerOnBridge with a child that never answers leaves the caller unanswered', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('answerOnBridge="true" action="/after"'));
    await settle('the dial', () => call.children.length === 1);
    call.child.report('no-answer');
    expect(actionParams(await outcome).DialCallStatus).toBe('no-answer');
    expect(call.answered).toBe(false);
  });

  it('hangupOnStar: the caller pressing * hangs up the child and the action gets completed', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('hangupOnStar="true" action="/after"'));
    await settle('the dial', () => call.children.length === 1);
    call.child.report('in-progress');
    await settle('the bridge', () => call.child.log.includes('bridge'));
    call.digits.push('1');
    expect(call.child.log).not.toContain('hangup');
    call.digits.push('*');
    const params = actionParams(await outcome);
    expect(call.child.log).toContain('hangup');
    expect(params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true' });
  });

  it('without hangupOnStar, * is just a key', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml());
    await settle('the dial', () => call.children.length === 1);
    call.child.report('in-progress');
    await settle('the bridge', () => call.child.log.includes('bridge'));
    call.digits.push('*');
    await new Promise((resolve) => setImmediate(resolve));
    expect(call.child.log).not.toContain('hangup');
    call.child.report('completed', 2);
    await outcome;
  });

  it('the caller hanging up while the child rings cancels the child; the action still hears of it', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('action="/after"'));
    await settle('the dial', () => call.children.length === 1);
    call.child.report('ringing');
    call.hangUp();
    const result = await outcome;
    expect(result.next).toBe('notify');
    expect(actionParams(result)).toMatchObject({
      DialCallStatus: 'canceled',
      DialBridged: 'false',
      CallStatus: 'completed',
    });
    expect(call.child.tracker.state.status).toBe('canceled');
  });

  it('the caller hanging up while bridged ends the child; without action the session just ends', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml());
    await settle('the dial', () => call.children.length === 1);
    call.child.report('in-progress');
    await settle('the bridge', () => call.child.log.includes('bridge'));
    call.hangUp();
    await expect(outcome).rejects.toMatchObject({ reason: 'caller-hangup' });
    expect(call.child.log).toContain('hangup');
    expect(call.child.tracker.state.status).toBe('completed');
  });

  it('a refused dial (no permission) fails with the refusal on the timeline and no child', async () => {
    const call = new FakeCall();
    call.refuseDial = new ParleyError(37000, 'no permission');
    const params = actionParams(await run(call, dialXml('action="/after"')));
    expect(params).toEqual({
      CallSid: 'CA00000000000000000000000000000001',
      DialCallStatus: 'failed',
      DialBridged: 'false',
    });
    expect(call.warnings).toEqual([37000]);
  });

  it.each([
    ['<Number>', '<Number>+14155550101</Number>', 13215],
    ['a bare number', '+14155550101', 13215],
    ['<Sip>', '<Sip>sip:agent@example.com</Sip>', 13215],
  ])(
    '%s cannot be reached from a WhatsApp call: failed with 13215, nothing dialed',
    async (_n, noun, code) => {
      const call = new FakeCall();
      const node = verbOf('Dial', `<Dial action="/after">${noun}</Dial>`);
      const params = actionParams(await run(call, node));
      expect(params.DialCallStatus).toBe('failed');
      expect(call.warnings).toEqual([code]);
      expect(call.children).toEqual([]);
    },
  );

  it('a <WhatsApp> without a whatsapp: callerId fails with 13212', async () => {
    const call = new FakeCall();
    const node = verbOf('Dial', `<Dial action="/after"><WhatsApp>${USER}</WhatsApp></Dial>`);
    expect(actionParams(await run(call, node)).DialCallStatus).toBe('failed');
    expect(call.warnings).toEqual([13212]);
  });

  it.each([
    {
      record: 'record-from-answer-dual',
      startedWhen: 'after the bridge',
      channels: 'dual',
      order: ['bridge', 'record'],
    },
    {
      record: 'record-from-ringing',
      startedWhen: 'while it rings',
      channels: 'mono',
      order: ['record', 'bridge'],
    },
  ])(
    'record="$record" records parent and child ($channels) $startedWhen, stops with the dial, gives RecordingUrl',
    async ({ record, channels, order }) => {
      const call = new FakeCall();
      const outcome = run(
        call,
        dialXml(
          `record="${record}" recordingStatusCallback="/rec" trim="trim-silence" action="/after"`,
        ),
      );
      await settle('the dial', () => call.children.length === 1);
      call.child.report('in-progress');
      await settle('the bridge and the recording', () =>
        order.every((step) => call.child.log.includes(step)),
      );
      call.child.report('completed', 4);
      const params = actionParams(await outcome);
      expect(call.child.log.filter((e) => order.includes(e))).toEqual(order);
      expect(call.child.log).toContain('record-stop');
      expect(call.recordings).toEqual([
        {
          channels,
          track: 'both',
          trimSilence: true,
          statusCallback: {
            url: 'https://app.example.com/rec',
            method: 'POST',
            events: ['completed'],
          },
        },
      ]);
      expect(params.RecordingUrl).toMatch(/\/Recordings\/RE/);
    },
  );

  it('without record, nothing is recorded and no RecordingUrl is sent', async () => {
    const call = new FakeCall();
    const outcome = run(call, dialXml('action="/after"'));
    await settle('the dial', () => call.children.length === 1);
    call.child.report('in-progress');
    await settle('the bridge', () => call.child.log.includes('bridge'));
    call.child.report('completed', 4);
    expect(actionParams(await outcome).RecordingUrl).toBeUndefined();
    expect(call.recordings).toEqual([]);
  });

  describe('whisper (<WhatsApp url>)', () => {
    it('runs on the answered child while the caller hears ringback; the child hanging up then connects nothing', async () => {
      const call = new FakeCall();
      call.whispers.set(
        'https://app.example.com/whisper',
        '<Response><Say>A customer</Say></Response>',
      );
      const outcome = run(call, dialXml('', `<WhatsApp url="/whisper">${USER}</WhatsApp>`));
      await settle('the dial', () => call.children.length === 1);
      call.child.report('in-progress');
      await settle('the whisper', () => call.prompts.some((p) => p.source.kind === 'say'));
      const whisper = call.prompts.find((p) => p.source.kind === 'say');
      expect(whisper?.callSid).toBe(CHILD_SID);
      expect(call.child.log).not.toContain('bridge');
      expect(call.prompts[0]).toMatchObject({ source: { kind: 'ringback' }, stopped: false });
      call.child.report('completed', 1);
      await expect(outcome).resolves.toEqual({ next: 'continue' });
      expect(whisper?.stopped).toBe(true);
      expect(call.child.log).not.toContain('bridge');
    });

    it('a whisper that ends connects the parties; a <Gather> with a key goes to its action, a whisper too', async () => {
      const call = new FakeCall();
      call.whispers.set(
        'https://app.example.com/screen',
        '<Response><Gather numDigits="1" action="/accepted"/><Hangup/></Response>',
      );
      call.whispers.set('https://app.example.com/accepted', '<Response/>');
      const outcome = run(
        call,
        dialXml('action="/after"', `<WhatsApp url="/screen">${USER}</WhatsApp>`),
      );
      await settle('the dial', () => call.children.length === 1);
      call.child.report('in-progress');
      await new Promise((resolve) => setImmediate(resolve));
      call.pressOnChild('1');
      await settle('the bridge', () => call.child.log.includes('bridge'));
      call.child.report('completed', 5);
      expect(actionParams(await outcome)).toMatchObject({
        DialCallStatus: 'completed',
        DialBridged: 'true',
        DialCallDuration: '5',
      });
    });

    it('a whisper that hangs up declines the call: the child is hung up, no-answer, never bridged', async () => {
      const call = new FakeCall();
      call.whispers.set('https://app.example.com/screen', '<Response><Hangup/></Response>');
      const outcome = run(
        call,
        dialXml('action="/after"', `<WhatsApp url="/screen">${USER}</WhatsApp>`),
      );
      await settle('the dial', () => call.children.length === 1);
      call.child.report('in-progress');
      expect(actionParams(await outcome)).toMatchObject({
        DialCallStatus: 'no-answer',
        DialBridged: 'false',
      });
      expect(call.child.log).toContain('hangup');
      expect(call.child.log).not.toContain('bridge');
    });

    it('a whisper document that cannot be loaded declines the call with its code', async () => {
      const call = new FakeCall();
      const outcome = run(
        call,
        dialXml('action="/after"', `<WhatsApp url="/missing">${USER}</WhatsApp>`),
      );
      await settle('the dial', () => call.children.length === 1);
      call.child.report('in-progress');
      expect(actionParams(await outcome).DialCallStatus).toBe('no-answer');
      expect(call.warnings).toEqual([11200]);
    });
  });
});

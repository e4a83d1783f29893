import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { newSid } from '../ids';
import { ParleyError } from '../errors';
import { streams, type EventPayload } from '../subjects/registry';
import { BusRequestError, NatsBus, type HandlerContext } from './bus';
import { namespacedName, namespacedSubject } from './namespace';
import { ensureStream, streamConfig } from './streams';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const callsStream = streams.find((s) => s.name === 'PARLEY_CALLS')!;
// This file's own namespace: no other test file's messages, streams or consumers meet it.
const NS = `t_bus_${randomBytes(4).toString('hex')}`;
const CALLS_STREAM = streamConfig(callsStream, NS).name;

function statusEvent(
  callSid = newSid('CA'),
  sequence = 0,
): EventPayload<'calls.v1.call.status-changed'> {
  return {
    callSid,
    accountSid: newSid('AC'),
    parentCallSid: null,
    direction: 'inbound',
    from: 'whatsapp:+14155550100',
    to: 'whatsapp:+14155550199',
    status: 'ringing',
    previousStatus: null,
    sequence,
    occurredAt: new Date().toISOString(),
    startTime: null,
    endTime: null,
    durationSec: null,
    errorCode: null,
    statusCallback: null,
  };
}

async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('NatsBus on a real NATS server', () => {
  let nc: NatsConnection;
  let bus: NatsBus;
  const errors: { event: string; subject: string }[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    bus = new NatsBus(nc, {
      source: 'test/bus',
      namespace: NS,
      onError: (event, { subject }) => errors.push({ event, subject }),
    });
    await ensureStream(await nc.jetstreamManager(), callsStream, NS);
  });

  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(CALLS_STREAM);
    await nc.drain();
  });

  beforeEach(() => {
    errors.length = 0;
  });

  describe('request/reply', () => {
    it('delivers a typed request and returns the validated reply, with the correlation id', async () => {
      let seen: HandlerContext | undefined;
      const sub = bus.handle('consent.v1.health.check', (_req, ctx) => {
        seen = ctx;
        return Promise.resolve({
          service: 'consent',
          instanceId: 'i-1',
          version: '1.0.0',
          ready: true,
          uptimeSeconds: 3,
          checks: [],
        });
      });
      try {
        const reply = await bus.request(
          'consent.v1.health.check',
          {},
          { timeoutMs: 2_000, correlationId: 'CAabc' },
        );
        expect(reply).toEqual({
          service: 'consent',
          instanceId: 'i-1',
          version: '1.0.0',
          ready: true,
          uptimeSeconds: 3,
          checks: [],
        });
        expect(seen?.correlationId).toBe('CAabc');
      } finally {
        sub.unsubscribe();
      }
    });

    it('turns a ParleyError thrown by the handler into the same error at the caller', async () => {
      const sub = bus.handle('media.v1.health.check', () => Promise.reject(new ParleyError(37000)));
      try {
        await expect(
          bus.request('media.v1.health.check', {}, { timeoutMs: 2_000 }),
        ).rejects.toMatchObject({
          name: 'ParleyError',
          code: 37000,
        });
      } finally {
        sub.unsubscribe();
      }
    });

    it('refuses a reply that breaks the contract', async () => {
      const sub = bus.handle('twiml.v1.health.check', () =>
        // A misbehaving responder that is not this bus (it would validate its own reply).
        Promise.resolve({ service: 'nope' } as never),
      );
      try {
        await expect(
          bus.request('twiml.v1.health.check', {}, { timeoutMs: 2_000 }),
        ).rejects.toBeInstanceOf(BusRequestError);
      } finally {
        sub.unsubscribe();
      }
    });

    it('says "no-responders" at once when nobody serves the subject', async () => {
      await expect(
        bus.request('webhooks.v1.health.check', {}, { timeoutMs: 2_000 }),
      ).rejects.toMatchObject({
        kind: 'no-responders',
      });
    });

    it('times out when the responder never answers', async () => {
      const sub = nc.subscribe(namespacedSubject(NS, 'calls.v1.health.check'), {
        callback: () => undefined,
      });
      try {
        await expect(
          bus.request('calls.v1.health.check', {}, { timeoutMs: 200 }),
        ).rejects.toMatchObject({
          kind: 'timeout',
        });
      } finally {
        sub.unsubscribe();
      }
    });

    it('refuses to send a request that breaks the contract', async () => {
      await expect(
        bus.request('calls.v1.health.check', { extra: true }, { timeoutMs: 200 }),
      ).rejects.toThrow(/does not match its contract/);
    });
  });

  describe('events', () => {
    it('delivers valid events and reports invalid ones instead of handing them over', async () => {
      const received: string[] = [];
      const sub = bus.subscribe('ops.v1.service.started', (e) => {
        received.push(e.instanceId);
      });
      await nc.flush();
      bus.publish('ops.v1.service.started', {
        service: 'media',
        instanceId: 'm-1',
        version: '1',
        startedAt: new Date().toISOString(),
      });
      const wire = namespacedSubject(NS, 'ops.v1.service.started');
      nc.publish(wire, new TextEncoder().encode('{"service":"bogus"}'));
      nc.publish(wire, new TextEncoder().encode('not json'));
      await eventually(() => {
        expect(received).toEqual(['m-1']);
        // Reported under the logical subject, like everything a handler sees.
        expect(errors.filter((e) => e.event === 'invalid-payload')).toEqual([
          { event: 'invalid-payload', subject: 'ops.v1.service.started' },
          { event: 'invalid-payload', subject: 'ops.v1.service.started' },
        ]);
      });
      sub.unsubscribe();
    });
  });

  describe('JetStream', () => {
    const jsm = () => nc.jetstreamManager();

    it('drops a re-published event with the same de-duplication id', async () => {
      const event = statusEvent();
      const msgId = `${event.callSid}:0`;
      const first = await bus.publishDurable('calls.v1.call.status-changed', event, { msgId });
      const again = await bus.publishDurable('calls.v1.call.status-changed', event, { msgId });
      expect(first).toMatchObject({ duplicate: false, stream: CALLS_STREAM });
      expect(again.duplicate).toBe(true);
      expect(again.seq).toBe(first.seq);
    });

    it('keeps messages for a durable consumer across its restart and never delivers one twice', async () => {
      const durable = `test-${randomBytes(4).toString('hex')}`;
      const callSid = newSid('CA');
      const seen: number[] = [];
      const handler = (e: EventPayload<'calls.v1.call.status-changed'>) => {
        if (e.callSid === callSid) seen.push(e.sequence);
        return Promise.resolve();
      };
      const opts = {
        stream: 'PARLEY_CALLS',
        durable,
        subject: 'calls.v1.call.status-changed' as const,
        handler,
        startAt: 'new' as const,
      };

      const first = await bus.consumeDurable(opts);
      await bus.publishDurable('calls.v1.call.status-changed', statusEvent(callSid, 1), {
        msgId: `${callSid}:1`,
      });
      await eventually(() => expect(seen).toEqual([1]));
      await first.stop();

      // Published while no consumer runs: JetStream keeps them for the durable.
      await bus.publishDurable('calls.v1.call.status-changed', statusEvent(callSid, 2), {
        msgId: `${callSid}:2`,
      });
      await bus.publishDurable('calls.v1.call.status-changed', statusEvent(callSid, 3), {
        msgId: `${callSid}:3`,
      });

      const second = await bus.consumeDurable(opts);
      await eventually(() => expect(seen).toEqual([1, 2, 3]));
      // Once every delivery is acked with none redelivered, JetStream sends none again.
      const manager = await jsm();
      const settled = async () => {
        const info = await manager.consumers.info(CALLS_STREAM, namespacedName(NS, durable));
        return info.num_ack_pending === 0 && info.num_pending === 0 ? info : undefined;
      };
      let info = await settled();
      while (!info) {
        await new Promise((r) => setTimeout(r, 25));
        info = await settled();
      }
      expect(info.num_redelivered).toBe(0);
      expect(seen).toEqual([1, 2, 3]);
      await second.stop();
      await (await jsm()).consumers.delete(CALLS_STREAM, namespacedName(NS, durable));
    });

    it('handles messages of different keys at once, and one key in stream order', async () => {
      const durable = `test-${randomBytes(4).toString('hex')}`;
      const [a, b] = [newSid('CA'), newSid('CA')];
      const handled: string[] = [];
      // a:1 is held until b:1 has started: with one message at a time this never happens.
      let releaseA: () => void = () => undefined;
      const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
      const consumer = await bus.consumeDurable({
        stream: 'PARLEY_CALLS',
        durable,
        subject: 'calls.v1.call.status-changed',
        startAt: 'new',
        concurrency: 4,
        orderKey: 'callSid',
        handler: async (e) => {
          const name = `${e.callSid === a ? 'a' : 'b'}:${e.sequence}`;
          if (e.callSid !== a && e.callSid !== b) return;
          if (name === 'a:1') await aHeld;
          if (name === 'b:1') releaseA();
          handled.push(name);
        },
      });
      for (const [callSid, sequence] of [
        [a, 1],
        [a, 2],
        [b, 1],
        [a, 3],
      ] as const) {
        await bus.publishDurable('calls.v1.call.status-changed', statusEvent(callSid, sequence), {
          msgId: `${callSid}:${sequence}`,
        });
      }
      await eventually(() => expect(handled).toHaveLength(4), 10_000);
      // b overtook the held a:1; a's own messages kept their order behind it.
      expect(handled.indexOf('b:1')).toBeLessThan(handled.indexOf('a:1'));
      expect(handled.filter((n) => n.startsWith('a:'))).toEqual(['a:1', 'a:2', 'a:3']);
      await consumer.stop();
      await (await jsm()).consumers.delete(CALLS_STREAM, namespacedName(NS, durable));
    });

    it('redelivers a message whose handler failed, until it succeeds', async () => {
      const durable = `test-${randomBytes(4).toString('hex')}`;
      const callSid = newSid('CA');
      let attempts = 0;
      const consumer = await bus.consumeDurable({
        stream: 'PARLEY_CALLS',
        durable,
        subject: 'calls.v1.call.status-changed',
        startAt: 'new',
        handler: (e) => {
          if (e.callSid !== callSid) return Promise.resolve();
          attempts += 1;
          return attempts < 2 ? Promise.reject(new Error('database down')) : Promise.resolve();
        },
      });
      await bus.publishDurable('calls.v1.call.status-changed', statusEvent(callSid, 0), {
        msgId: `${callSid}:0`,
      });
      await eventually(() => expect(attempts).toBe(2), 10_000);
      expect(errors.some((e) => e.event === 'handler-failed')).toBe(true);
      await consumer.stop();
      await (await jsm()).consumers.delete(CALLS_STREAM, namespacedName(NS, durable));
    });
  });
});

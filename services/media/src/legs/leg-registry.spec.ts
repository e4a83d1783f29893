import { ParleyError } from '@parley/contracts';
import { createLogger, MetricsService, ReadinessRegistry } from '@parley/nest-kit';
import { type MediaEnv } from '../config/env.schema';
import { type Leg } from './leg';
import { LegRegistry } from './leg-registry';
import { type LegState } from './leg-state-machine';

/** What the registry reads of a leg: its CallSid and state. */
function fakeLeg(callSid: string, state: LegState = 'answered'): Leg {
  return { callSid, state } as Pick<Leg, 'callSid' | 'state'> as Leg;
}

/** The Twilio-style code `run` throws, or null when it does not throw one. */
function codeThrown(run: () => unknown): number | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof ParleyError ? error.code : null;
  }
}

function setup(maxLegs = 2) {
  const readiness = new ReadinessRegistry();
  const metrics = new MetricsService({
    name: 'media',
    version: '0.0.0',
    instanceId: 'test',
    startedAt: new Date(),
  });
  const registry = new LegRegistry(
    { MEDIA_MAX_LEGS: maxLegs } as MediaEnv,
    createLogger({ service: 'media', instanceId: 'test', level: 'silent' }),
    metrics,
    readiness,
  );
  registry.onApplicationBootstrap();
  return { registry, readiness, metrics };
}

describe('LegRegistry', () => {
  it('finds legs that are up, and answers 20404 for others', () => {
    const { registry } = setup();
    registry.reserve('CA1');
    expect(registry.get('CA1')).toBeUndefined();
    const leg = fakeLeg('CA1');
    registry.add(leg, 'row-1');
    registry.unreserve('CA1');
    expect(registry.require('CA1')).toBe(leg);
    expect(registry.rowIdOf('CA1')).toBe('row-1');
    expect(registry.callSids()).toEqual(['CA1']);
    expect([...registry.all()]).toEqual([leg]);
    expect(codeThrown(() => registry.require('CA2'))).toBe(20404);
  });

  it('refuses a second leg for a call, one beyond the maximum, and any while draining', () => {
    const { registry } = setup(2);
    registry.reserve('CA1');
    expect(codeThrown(() => registry.reserve('CA1'))).toBe(21220);
    registry.add(fakeLeg('CA1'), 'row-1');
    registry.unreserve('CA1');
    expect(codeThrown(() => registry.reserve('CA1'))).toBe(21220);
    registry.reserve('CA2');
    expect(codeThrown(() => registry.reserve('CA3'))).toBe(20503);
    registry.unreserve('CA2');
    registry.stopAccepting();
    expect(() => registry.reserve('CA3')).toThrow(/shutting down/);
  });

  it('remembers a close asked for while the leg is being set up, until the set-up ends', () => {
    const { registry } = setup();
    expect(registry.requestCloseDuringSetUp('CA1')).toBe(false);
    registry.reserve('CA1');
    expect(registry.closeRequestedDuringSetUp('CA1')).toBe(false);
    expect(registry.requestCloseDuringSetUp('CA1')).toBe(true);
    expect(registry.closeRequestedDuringSetUp('CA1')).toBe(true);
    registry.unreserve('CA1');
    expect(registry.closeRequestedDuringSetUp('CA1')).toBe(false);
  });

  it('tells every listener when a leg opens, connects and closes, whichever one throws', () => {
    const { registry } = setup();
    const heard: string[] = [];
    registry.listen({
      opened: () => {
        throw new Error('a broken listener');
      },
      closing: () => {
        throw new Error('a broken listener');
      },
    });
    const stop = registry.listen({
      opened: (leg) => heard.push(`opened ${leg.callSid}`),
      connected: (leg) => heard.push(`connected ${leg.callSid}`),
      closing: (leg, reason) => heard.push(`closing ${leg.callSid} ${reason}`),
    });
    const leg = fakeLeg('CA1');
    registry.add(leg, 'row-1');
    registry.announceConnected(leg);
    expect(registry.remove('CA1', 'failed')).toEqual({ leg, rowId: 'row-1' });
    expect(registry.remove('CA1', 'failed')).toBeUndefined();
    expect(registry.get('CA1')).toBeUndefined();
    stop();
    registry.add(fakeLeg('CA2'), 'row-2');
    expect(heard).toEqual(['opened CA1', 'connected CA1', 'closing CA1 failed']);
  });

  it('counts legs by state and reports draining as not ready', async () => {
    const { registry, readiness, metrics } = setup();
    registry.add(fakeLeg('CA1', 'connected'), 'row-1');
    registry.add(fakeLeg('CA2', 'offered'), 'row-2');
    const gauge = await metrics.registry.getSingleMetric('parley_media_legs')?.get();
    expect(gauge?.values.map((v) => [v.labels.state, v.value]).sort()).toEqual([
      ['connected', 1],
      ['offered', 1],
    ]);
    expect(await readiness.evaluate()).toMatchObject({
      ready: true,
      checks: [{ name: 'legs', detail: '2 legs' }],
    });
    registry.stopAccepting();
    expect(await readiness.evaluate()).toMatchObject({
      ready: false,
      checks: [{ name: 'legs', detail: '2 legs, draining' }],
    });
  });
});

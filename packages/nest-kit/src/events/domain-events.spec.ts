import { createLogger } from '../logging/logger';
import { DomainEvents } from './domain-events';

interface TestEvents {
  'thing.started': { id: string };
  'thing.ended': { id: string; reason: string };
}

function capture(): { events: DomainEvents<TestEvents>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'test',
    instanceId: 'i-1',
    level: 'info',
    destination: {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  return { events: new DomainEvents<TestEvents>(logger), lines };
}

describe('DomainEvents', () => {
  it('delivers the typed payload to every handler of that event only, in subscription order', async () => {
    const { events } = capture();
    const seen: string[] = [];
    events.on('thing.started', (p) => void seen.push(`a:${p.id}`));
    events.on('thing.started', (p) => void seen.push(`b:${p.id}`));
    events.on('thing.ended', (p) => void seen.push(`ended:${p.reason}`));
    await events.emit('thing.started', { id: '1' });
    expect(seen).toEqual(['a:1', 'b:1']);
  });

  it('awaits async handlers one after the other before emit resolves', async () => {
    const { events } = capture();
    const seen: string[] = [];
    let releaseFirst!: () => void;
    const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve));
    events.on('thing.started', async () => {
      await firstGate;
      seen.push('first');
    });
    events.on('thing.started', () => void seen.push('second'));
    const emitted = events.emit('thing.started', { id: '1' });
    await Promise.resolve();
    expect(seen).toEqual([]);
    releaseFirst();
    await emitted;
    expect(seen).toEqual(['first', 'second']);
  });

  it('logs a failing handler and still runs the others; emit never rejects', async () => {
    const { events, lines } = capture();
    const seen: string[] = [];
    events.on('thing.ended', () => {
      throw new Error('sync failure');
    });
    events.on('thing.ended', () => Promise.reject(new Error('async failure')));
    events.on('thing.ended', (p) => void seen.push(p.id));
    await expect(events.emit('thing.ended', { id: '7', reason: 'done' })).resolves.toBeUndefined();
    expect(seen).toEqual(['7']);
    expect(lines.map((l) => [l.level, l.event, (l.err as { message: string }).message])).toEqual([
      ['error', 'thing.ended', 'sync failure'],
      ['error', 'thing.ended', 'async failure'],
    ]);
  });

  it('stops delivering to a handler once it unsubscribed', async () => {
    const { events } = capture();
    const seen: string[] = [];
    const off = events.on('thing.started', (p) => void seen.push(p.id));
    await events.emit('thing.started', { id: '1' });
    off();
    await events.emit('thing.started', { id: '2' });
    expect(seen).toEqual(['1']);
  });
});

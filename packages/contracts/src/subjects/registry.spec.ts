import { ServiceName } from '../enums';
import {
  commands,
  durableConsumers,
  durableEvents,
  events,
  healthCheckSubject,
  streams,
} from './registry';

const SUBJECT = /^[a-z]+\.v[0-9]+\.[a-z-]+\.[a-z-]+$/;

function matchesStreamSubject(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

describe('subject registry', () => {
  const all = [...Object.keys(events), ...Object.keys(durableEvents), ...Object.keys(commands)];

  it.each(all)('%s follows <domain>.v<N>.<entity>.<event|verb>', (subject) => {
    expect(subject).toMatch(SUBJECT);
  });

  it('gives every service a health command', () => {
    for (const service of ServiceName.options) {
      expect(Object.keys(commands)).toContain(healthCheckSubject(service));
    }
  });

  it('stores every durable event in a stream', () => {
    for (const subject of Object.keys(durableEvents)) {
      expect(streams.some((s) => s.subjects.some((p) => matchesStreamSubject(p, subject)))).toBe(
        true,
      );
    }
  });

  it('never lets a stream capture a command or a core event', () => {
    for (const subject of [...Object.keys(commands), ...Object.keys(events)]) {
      const capturing = streams.filter((s) =>
        s.subjects.some((p) => matchesStreamSubject(p, subject)),
      );
      expect(capturing).toEqual([]);
    }
  });

  it.each(Object.entries(durableConsumers))(
    '%s consumes a durable event from the stream that holds it',
    (name, consumer) => {
      expect(name.startsWith(`${consumer.service}.`)).toBe(true);
      expect(Object.keys(durableEvents)).toContain(consumer.subject);
      const stream = streams.find((s) => s.name === consumer.stream);
      expect(stream?.subjects.some((p) => matchesStreamSubject(p, consumer.subject))).toBe(true);
      expect(consumer.durable).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    },
  );

  it.each(
    Object.entries(durableConsumers).flatMap(([name, c]) =>
      'orderKey' in c ? [[name, c.subject, c.orderKey] as const] : [],
    ),
  )('%s orders by a field its payload has (%s.%s)', (_name, subject, orderKey) => {
    const schema = durableEvents[subject] as { shape: Record<string, unknown> };
    expect(Object.keys(schema.shape)).toContain(orderKey);
  });

  it('gives every durable consumer its own durable name', () => {
    const names = Object.values(durableConsumers).map((c) => `${c.stream}/${c.durable}`);
    expect(new Set(names).size).toBe(names.length);
  });
});

import { streams } from '../subjects/registry';
import { checkNatsNamespace, logicalSubject, namespacedName, namespacedSubject } from './namespace';
import { streamConfig } from './streams';

describe('NATS namespaces', () => {
  it('changes nothing without a namespace (existing deployments keep their names)', () => {
    for (const ns of [undefined, '']) {
      expect(checkNatsNamespace(ns)).toBeUndefined();
      expect(namespacedSubject(checkNatsNamespace(ns), 'media.v1.leg.answer')).toBe(
        'media.v1.leg.answer',
      );
      expect(namespacedName(checkNatsNamespace(ns), 'PARLEY_MEDIA')).toBe('PARLEY_MEDIA');
      for (const def of streams) {
        expect(streamConfig(def, ns)).toMatchObject({ name: def.name, subjects: def.subjects });
      }
    }
  });

  it('prefixes subjects, stream names, stream subjects and consumer names', () => {
    expect(namespacedSubject('acme', 'media.v1.recording.completed')).toBe(
      'acme.media.v1.recording.completed',
    );
    expect(namespacedName('acme', 'call-control-recordings')).toBe('acme_call-control-recordings');
    const media = streams.find((s) => s.name === 'PARLEY_MEDIA')!;
    expect(streamConfig(media, 'acme')).toMatchObject({
      name: 'acme_PARLEY_MEDIA',
      subjects: [
        'acme.media.v1.recording.completed',
        'acme.media.v1.leg.failed',
        'acme.media.v1.stream.started',
        'acme.media.v1.stream.ended',
      ],
      max_age: media.maxAgeSeconds * 1e9,
      duplicate_window: media.duplicateWindowSeconds * 1e9,
    });
  });

  it('gives back the logical subject of a received one', () => {
    expect(logicalSubject('acme', 'acme.media.v1.dtmf.received')).toBe('media.v1.dtmf.received');
    expect(logicalSubject(undefined, 'media.v1.dtmf.received')).toBe('media.v1.dtmf.received');
  });

  it.each(['Acme', 'acme.eu', 'ac>me', 'a*', '_acme', '9acme', 'a b', 'a'.repeat(33)])(
    'refuses the namespace %p',
    (ns) => {
      expect(() => checkNatsNamespace(ns)).toThrow(/must be 1-32 characters/);
    },
  );
});

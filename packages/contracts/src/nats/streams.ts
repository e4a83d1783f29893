import { RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from 'nats';
import { streams, type StreamDefinition } from '../subjects/registry';
import { checkNatsNamespace, namespacedName, namespacedSubject } from './namespace';

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * The concrete JetStream configuration of a stream in a namespace: its name and every
 * subject it captures carry the namespace (none: the definition as it is).
 */
export function streamConfig(
  def: StreamDefinition,
  namespace?: string,
): Pick<
  StreamConfig,
  'name' | 'subjects' | 'description' | 'retention' | 'storage' | 'max_age' | 'duplicate_window'
> {
  const ns = checkNatsNamespace(namespace);
  return {
    name: namespacedName(ns, def.name),
    subjects: def.subjects.map((s) => namespacedSubject(ns, s)),
    description: def.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: def.maxAgeSeconds * NANOS_PER_SECOND,
    duplicate_window: def.duplicateWindowSeconds * NANOS_PER_SECOND,
  };
}

/** The definition of a stream by its logical name (`PARLEY_MEDIA`). */
export function streamDefinition(logicalName: string): StreamDefinition {
  const def = streams.find((s) => s.name === logicalName);
  if (!def) throw new Error(`unknown stream ${logicalName}`);
  return def;
}

/** Creates or updates a stream (in a namespace) to match its definition; idempotent. */
export async function ensureStream(
  jsm: JetStreamManager,
  def: StreamDefinition,
  namespace?: string,
): Promise<'created' | 'updated'> {
  const config = streamConfig(def, namespace);
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add(config);
    return 'created';
  }
  await jsm.streams.update(config.name, config);
  return 'updated';
}

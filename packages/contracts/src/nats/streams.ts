import { RetentionPolicy, StorageType, type JetStreamManager } from 'nats';
import { type StreamDefinition } from '../subjects/registry';

const NANOS_PER_SECOND = 1_000_000_000;

/** Creates or updates a stream to match its definition; idempotent. */
export async function ensureStream(
  jsm: JetStreamManager,
  def: StreamDefinition,
): Promise<'created' | 'updated'> {
  const config = {
    name: def.name,
    subjects: [...def.subjects],
    description: def.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: def.maxAgeSeconds * NANOS_PER_SECOND,
    duplicate_window: def.duplicateWindowSeconds * NANOS_PER_SECOND,
  };
  try {
    await jsm.streams.info(def.name);
  } catch {
    await jsm.streams.add(config);
    return 'created';
  }
  await jsm.streams.update(def.name, config);
  return 'updated';
}

/**
 * Isolation on a shared NATS: a namespace (`PARLEY_NATS_NAMESPACE`) prefixes every subject
 * on the wire (`acme.media.v1.recording.completed`) and the names of streams and durable
 * consumers (`acme_PARLEY_MEDIA`), so two deployments, or two test files, on one NATS
 * cluster never see each other's messages. No namespace means today's names, unchanged.
 * Code keeps using the logical names; only these functions know the concrete ones.
 */

/** Lower-case, starts with a letter, no '.', '*' or '>': safe in subjects and stream names. */
export const NATS_NAMESPACE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export const NATS_NAMESPACE_RULE =
  'must be 1-32 characters: a lower-case letter, then lower-case letters, digits, _ or -';

/** The namespace, checked; an empty or missing one is no namespace. */
export function checkNatsNamespace(namespace: string | undefined): string | undefined {
  if (namespace === undefined || namespace === '') return undefined;
  if (!NATS_NAMESPACE_PATTERN.test(namespace)) {
    throw new TypeError(`NATS namespace "${namespace}" ${NATS_NAMESPACE_RULE}`);
  }
  return namespace;
}

/** The subject on the wire for a logical subject (or a subject filter with wildcards). */
export function namespacedSubject(namespace: string | undefined, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** The logical subject of a subject received on the wire (unchanged outside the namespace). */
export function logicalSubject(namespace: string | undefined, wireSubject: string): string {
  const prefix = namespace ? `${namespace}.` : '';
  return prefix && wireSubject.startsWith(prefix) ? wireSubject.slice(prefix.length) : wireSubject;
}

/**
 * The concrete name of a stream or durable consumer. Stream names cannot contain '.', so
 * the namespace is joined with '_'.
 */
export function namespacedName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}_${name}` : name;
}

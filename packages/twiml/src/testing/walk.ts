/** Test helpers over ASTs. */
import type { NodeByKind, TwimlDocument } from '../ast';
import type { NodeKind } from '../schema/elements';

/** Every node of a kind in a document, depth first, in document order. */
export function findAll<K extends NodeKind>(doc: TwimlDocument, kind: K): NodeByKind[K][] {
  const found: NodeByKind[K][] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      const node = value as { kind?: unknown };
      if (node.kind === kind) found.push(value as NodeByKind[K]);
      for (const [key, child] of Object.entries(value)) if (key !== 'attributes') visit(child);
    }
  };
  visit(doc);
  return found;
}

export function findOne<K extends NodeKind>(doc: TwimlDocument, kind: K): NodeByKind[K] {
  const [first] = findAll(doc, kind);
  if (first === undefined) throw new Error(`no <${kind}> in the document`);
  return first;
}

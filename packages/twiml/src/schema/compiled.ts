/**
 * The schema table turned into lookup structures, once, at load. Lookups go through
 * `Map`s so that a tag or attribute named `constructor` or `__proto__` never finds
 * anything on `Object.prototype`.
 */
import { type AnyAttributeValue, type AttributeSpec, defaultOf, isRequired } from './attributes';
import {
  type ChildGroup,
  ELEMENTS,
  type ElementSpec,
  type NodeKind,
  type TextSpec,
} from './elements';

export interface ChildSlot {
  readonly kind: NodeKind;
  /** Index into `groups`, or -1 for mixed (SSML) content. */
  readonly group: number;
}

export interface CompiledElement {
  readonly kind: NodeKind;
  readonly tag: string;
  readonly role: ElementSpec['role'];
  readonly attributes: ReadonlyMap<string, AttributeSpec>;
  /** Attribute names in schema order (serialization order). */
  readonly attributeNames: readonly string[];
  readonly defaults: readonly (readonly [string, AnyAttributeValue])[];
  /** The defaults as an object, to copy from. */
  readonly defaultValues: Readonly<Record<string, AnyAttributeValue>>;
  readonly required: readonly string[];
  readonly text: TextSpec | undefined;
  readonly groups: readonly ChildGroup[];
  readonly mixed: boolean;
  /** Child tag to kind and group. */
  readonly children: ReadonlyMap<string, ChildSlot>;
  /** For `text.toChild`: the group that receives the shorthand child. */
  readonly toChildGroup: number;
}

function compile(kind: NodeKind, spec: ElementSpec): CompiledElement {
  const attributes = new Map<string, AttributeSpec>(Object.entries(spec.attributes));
  const defaults: (readonly [string, AnyAttributeValue])[] = [];
  const required: string[] = [];
  for (const [name, attr] of attributes) {
    const def = defaultOf(attr);
    if (def !== undefined) defaults.push([name, def]);
    if (isRequired(attr)) required.push(name);
  }
  const groups = spec.children ?? [];
  const children = new Map<string, ChildSlot>();
  const add = (childKind: string, group: number): void => {
    if (!Object.hasOwn(ELEMENTS, childKind))
      throw new Error(`schema: ${kind} names unknown kind ${childKind}`);
    const k = childKind as NodeKind;
    const tag = ELEMENTS[k].tag;
    if (children.has(tag)) throw new Error(`schema: ${kind} has two children tagged <${tag}>`);
    children.set(tag, { kind: k, group });
  };
  groups.forEach((g, i) => g.kinds.forEach((k) => add(k, i)));
  (spec.mixed ?? []).forEach((k) => add(k, -1));
  let toChildGroup = -1;
  const toChild = spec.text?.toChild;
  if (toChild !== undefined) {
    toChildGroup = groups.findIndex((g) => g.kinds.includes(toChild.kind));
    if (toChildGroup < 0)
      throw new Error(`schema: ${kind} text maps to ${toChild.kind}, which it does not accept`);
  }
  return {
    kind,
    tag: spec.tag,
    role: spec.role,
    attributes,
    attributeNames: [...attributes.keys()],
    defaults,
    defaultValues: Object.freeze(Object.fromEntries(defaults)),
    required,
    text: spec.text,
    groups,
    mixed: spec.mixed !== undefined,
    children,
    toChildGroup,
  };
}

/** Freezes the schema table (its default arrays end up in every parsed document). */
function deepFreeze(value: unknown): void {
  if (
    typeof value !== 'object' ||
    value === null ||
    value instanceof RegExp ||
    Object.isFrozen(value)
  )
    return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
deepFreeze(ELEMENTS);

export const COMPILED: ReadonlyMap<NodeKind, CompiledElement> = new Map(
  (Object.keys(ELEMENTS) as NodeKind[]).map((kind) => [kind, compile(kind, ELEMENTS[kind])]),
);

export function compiled(kind: NodeKind): CompiledElement {
  const el = COMPILED.get(kind);
  if (el === undefined) throw new Error(`unknown kind ${kind}`);
  return el;
}

/** Every tag the schema knows, anywhere (to tell "misplaced" from "unknown"). */
export const KNOWN_TAGS: ReadonlySet<string> = new Set(
  [...COMPILED.values()].flatMap((el) => [
    el.tag,
    ...(el.text?.fromChild !== undefined ? [el.text.fromChild] : []),
  ]),
);

/** The attributes an element gets when none are written: its defaults. */
export function defaultAttributes(kind: NodeKind): Readonly<Record<string, AnyAttributeValue>> {
  return compiled(kind).defaultValues;
}

/**
 * `serializeTwiml`: a document back to XML, driven by the same schema table as the parser,
 * so that `parseTwiml(serializeTwiml(doc))` gives `doc` back. Attributes equal to their
 * default are left out; a `<Dial>` whose only noun is a plain `<Number>` is written in the
 * plain-text form.
 */
import type { SsmlContent, TwimlDocument, TwimlNode } from './ast';
import { type AnyAttributeValue, formatAttribute, isDefaultValue } from './schema/attributes';
import { type CompiledElement, compiled } from './schema/compiled';

export interface SerializeOptions {
  /** Start with `<?xml version="1.0" encoding="UTF-8"?>` (default true). */
  readonly xmlDeclaration?: boolean;
  /**
   * Indent elements that hold only elements (never text, which would change it) with this
   * string or this many spaces, one per line. Default: no whitespace at all.
   */
  readonly indent?: string | number;
}

type Fields = Readonly<Record<string, unknown>>;

// Characters XML 1.0 cannot carry at all, even as references.
const INVALID_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertRepresentable(value: string): void {
  if (INVALID_XML_CHAR.test(value)) {
    throw new RangeError(
      `TwiML cannot carry this text: it has a character XML 1.0 forbids (${JSON.stringify(value.slice(0, 40))})`,
    );
  }
}

function escapeText(value: string): string {
  assertRepresentable(value);
  return value.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;',
  );
}

function escapeAttribute(value: string): string {
  assertRepresentable(value);
  return value.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#x9;';
      case '\n':
        return '&#xA;';
      default:
        return '&#xD;';
    }
  });
}

function attributesOf(el: CompiledElement, node: TwimlNode): string {
  const values = node.attributes as Readonly<Record<string, AnyAttributeValue | undefined>>;
  let out = '';
  for (const name of el.attributeNames) {
    const value = values[name];
    const spec = el.attributes.get(name);
    if (value === undefined || spec === undefined || isDefaultValue(spec, value)) continue;
    out += ` ${name}="${escapeAttribute(formatAttribute(spec, value))}"`;
  }
  return out;
}

class Writer {
  constructor(private readonly indent: string) {}

  element(node: TwimlNode, depth: number): string {
    const el = compiled(node.kind);
    const fields = node as unknown as Fields;
    const open = `<${el.tag}${attributesOf(el, node)}`;

    if (el.mixed) {
      const content = (fields.content ?? []) as readonly SsmlContent[];
      const inner = content
        .map((c) => (c.kind === 'text' ? escapeText(c.value) : this.element(c, depth + 1)))
        .join('');
      return inner === '' ? `${open}/>` : `${open}>${inner}</${el.tag}>`;
    }

    const children: TwimlNode[] = [];
    for (const group of el.groups) {
      const value = fields[group.field];
      if (Array.isArray(value)) children.push(...(value as TwimlNode[]));
      else if (value !== undefined) children.push(value as TwimlNode);
    }

    let text: string | undefined;
    const spec = el.text;
    if (spec !== undefined) {
      if (spec.toChild !== undefined) {
        // <Dial><Number>x</Number></Dial> with a plain Number is written <Dial>x</Dial>.
        const only = children.length === 1 ? children[0] : undefined;
        if (
          only !== undefined &&
          only.kind === spec.toChild.kind &&
          attributesOf(compiled(only.kind), only) === ''
        ) {
          text = String((only as unknown as Fields)[spec.toChild.field]);
          children.length = 0;
        }
      } else {
        const value = fields[spec.field];
        if (typeof value === 'string' && value !== '') {
          if (spec.fromChild !== undefined && children.length > 0) {
            // Twilio wants <Identity> (not text) next to <Parameter>s.
            return this.withChildren(
              open,
              el.tag,
              [
                `<${spec.fromChild}>${escapeText(value)}</${spec.fromChild}>`,
                ...children.map((c) => this.element(c, depth + 1)),
              ],
              depth,
            );
          }
          text = value;
        }
      }
    }

    if (text !== undefined) {
      const inner = escapeText(text) + children.map((c) => this.element(c, depth + 1)).join('');
      return `${open}>${inner}</${el.tag}>`;
    }
    return this.withChildren(
      open,
      el.tag,
      children.map((c) => this.element(c, depth + 1)),
      depth,
    );
  }

  private withChildren(open: string, tag: string, parts: readonly string[], depth: number): string {
    if (parts.length === 0) return `${open}/>`;
    if (this.indent === '') return `${open}>${parts.join('')}</${tag}>`;
    const pad = this.indent.repeat(depth + 1);
    return `${open}>\n${parts.map((p) => pad + p).join('\n')}\n${this.indent.repeat(depth)}</${tag}>`;
  }
}

/** Writes a TwiML document (or any node of one) as XML. Throws `RangeError` on text XML cannot carry. */
export function serializeTwiml(document: TwimlDocument, options?: SerializeOptions): string {
  const indent =
    typeof options?.indent === 'number' ? ' '.repeat(options.indent) : (options?.indent ?? '');
  const body = new Writer(indent).element(document, 0);
  const declaration =
    options?.xmlDeclaration === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>';
  return declaration + (declaration !== '' && indent !== '' ? '\n' : '') + body;
}

/** Writes one node (a verb, a noun or an SSML element) as an XML fragment. */
export function serializeNode(node: TwimlNode, options?: Pick<SerializeOptions, 'indent'>): string {
  const indent =
    typeof options?.indent === 'number' ? ' '.repeat(options.indent) : (options?.indent ?? '');
  return new Writer(indent).element(node, 0);
}

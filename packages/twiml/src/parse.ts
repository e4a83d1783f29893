/**
 * `parseTwiml`: XML text in, a typed TwiML document or a Twilio error out. Never throws.
 *
 * Safety: `saxes` is a non-validating parser that knows only the five built-in XML
 * entities; a DOCTYPE stops the parse at once, so no DTD is ever read and no entity is
 * ever expanded (billion laughs and quadratic blowup cannot start). The size is checked
 * before parsing and the depth while parsing, so work is linear in a bounded input.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { NodeByKind, SsmlContent, TwimlDocument, TwimlNode } from './ast';
import { CHECKS, type CheckReporter } from './checks';
import {
  DOCUMENT_PARSE_FAILURE,
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  MAX_WARNINGS,
  RESPONSE_BODY_TOO_LARGE,
  SCHEMA_VALIDATION_ERROR,
  type TwimlError,
  type TwimlErrorCode,
  type TwimlWarning,
} from './errors';
import { type AnyAttributeValue, type NumberCheck, parseAttribute } from './schema/attributes';
import {
  COMPILED,
  type CompiledElement,
  KNOWN_TAGS,
  compiled,
  defaultAttributes,
} from './schema/compiled';
import { type NodeKind, WHISPER_VERB_KINDS } from './schema/elements';
import { checkText, clip } from './schema/text';
import { SourceMap, utf8Length } from './source';

export interface ParseOptions {
  /**
   * `call` (default): a document run on a call. `whisper`: a document fetched from a
   * `<WhatsApp url>` (or other noun `url`) and run on the called party before the parties
   * are connected; it may contain only `<Say>`, `<Play>`, `<Pause>`, `<Gather>` and `<Hangup>`.
   */
  readonly context?: 'call' | 'whisper';
  /**
   * How strictly `<WhatsApp>` numbers and `whatsapp:` callerIds are checked: `valid`
   * (default) or `possible` (fictional test numbers such as +1 555 01xx pass).
   */
  readonly numberCheck?: NumberCheck;
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly document: TwimlDocument;
      readonly warnings: readonly TwimlWarning[];
    }
  | { readonly ok: false; readonly error: TwimlError };

/** Thrown inside the parse to stop it at the first error; never escapes `parseTwiml`. */
class Abort extends Error {
  constructor(readonly error: TwimlError) {
    super(error.message);
  }
}

interface Frame {
  /** `undefined` for a text carrier (`<Identity>` in `<Client>`). */
  readonly el: CompiledElement | undefined;
  readonly tag: string;
  /** Source index of the `<` of the start tag. */
  readonly start: number;
  readonly attributes: Record<string, AnyAttributeValue>;
  readonly text: string[];
  readonly content: SsmlContent[] | undefined;
  readonly groups: unknown[][];
  /** Children started per group (counted at the start tag, to fail at the offending child). */
  readonly counts: number[];
  /** Text delivered by a carrier child, if any. */
  carried: string | undefined;
}

const WHISPER_VERBS: ReadonlySet<string> = new Set(WHISPER_VERB_KINDS);
const NON_WHITESPACE = /\S/;

function describe(el: CompiledElement | undefined, tag: string): string {
  return `<${el?.tag ?? tag}>`;
}

function freeze<T>(value: T): T {
  return Object.freeze(value);
}

class TwimlParser {
  private readonly source: SourceMap;
  private readonly stack: Frame[] = [];
  private readonly warnings: TwimlWarning[] = [];
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private document: TwimlDocument | undefined;
  /** Source index just after the last markup, where the next text run starts. */
  private markupEnd = 0;
  /** Set once a verb that ends the document's execution was seen (for the unreachable warning). */
  private ended: string | undefined;
  private unreachableWarned = false;

  constructor(
    private readonly xml: string,
    private readonly whisper: boolean,
    private readonly numberCheck: NumberCheck,
  ) {
    this.source = new SourceMap(xml);
    // Few handlers on purpose: saxes stores each as a new property, and past a handful V8
    // turns the parser into a slow dictionary object (a 5x slowdown). No 'error' handler:
    // saxes then throws, and run() catches. No comment/PI handlers: see firstTextIndex().
    const p = this.parser;
    p.on('doctype', () =>
      this.fail(
        DOCUMENT_PARSE_FAILURE,
        'DOCTYPE is not allowed in TwiML',
        this.xml.lastIndexOf('<!DOCTYPE', p.position),
      ),
    );
    p.on('opentag', (tag) => this.onOpen(tag));
    p.on('closetag', () => this.onClose());
    // A text run is reported when its closing '<' has been read; a CDATA section after its '>'.
    p.on('text', (text) => this.onText(text, p.position - 1));
    p.on('cdata', (text) => this.onText(text, p.position));
  }

  run(): ParseResult {
    try {
      this.parser.write(this.xml).close();
    } catch (err: unknown) {
      if (err instanceof Abort || !(err instanceof Error)) throw err;
      this.onXmlError(err);
    }
    if (this.document === undefined) {
      // saxes reports a missing root itself; this is a safety net.
      this.fail(DOCUMENT_PARSE_FAILURE, 'document must contain a <Response> root element', 0);
    }
    return { ok: true, document: this.document, warnings: freeze(this.warnings) };
  }

  // -------------------------------------------------------------------------------------

  private fail(code: TwimlErrorCode, message: string, index: number): never {
    const { line, column } = this.source.position(index);
    throw new Abort({ code, message, line, column });
  }

  private onXmlError(err: Error): never {
    const at = Math.max(0, this.parser.position - 1);
    // saxes reads a bare '&' as the start of an entity and fails much later: point at the '&'.
    const ampersand = findBareAmpersand(this.xml, at);
    if (ampersand >= 0) {
      const entity = /^&([A-Za-z_][\w.-]{0,40});/.exec(this.xml.slice(ampersand, ampersand + 44));
      this.fail(
        DOCUMENT_PARSE_FAILURE,
        entity !== null
          ? `undefined entity &${entity[1] ?? ''}; (TwiML knows only &amp; &lt; &gt; &quot; &apos;)`
          : "a bare '&' must be escaped as &amp;",
        ampersand,
      );
    }
    this.fail(
      DOCUMENT_PARSE_FAILURE,
      `not well-formed XML: ${err.message.replace(/^\d+:\d+: /, '')}`,
      at,
    );
  }

  private warn(message: string, index: number): void {
    if (this.warnings.length >= MAX_WARNINGS) return;
    const { line, column } = this.source.position(index);
    this.warnings.push(freeze({ code: SCHEMA_VALIDATION_ERROR, message, line, column }));
  }

  private onOpen(tag: SaxesTagPlain): void {
    const p = this.parser;
    const start = this.xml.lastIndexOf('<', p.position - 1);
    this.markupEnd = p.position;
    if (this.stack.length >= MAX_DEPTH) {
      this.fail(
        DOCUMENT_PARSE_FAILURE,
        `elements are nested deeper than ${MAX_DEPTH} levels`,
        start,
      );
    }
    const parent = this.stack[this.stack.length - 1];
    const name = tag.name;
    let el: CompiledElement | undefined;

    if (parent === undefined) {
      if (name !== 'Response')
        this.fail(
          DOCUMENT_PARSE_FAILURE,
          `the root element must be <Response>, not <${clip(name)}>`,
          start,
        );
      el = compiled('Response');
    } else if (parent.el === undefined) {
      this.fail(SCHEMA_VALIDATION_ERROR, `<${parent.tag}> cannot contain <${clip(name)}>`, start);
    } else if (parent.el.text?.fromChild === name) {
      if (parent.carried !== undefined)
        this.fail(
          SCHEMA_VALIDATION_ERROR,
          `${describe(parent.el, parent.tag)} accepts only one <${name}>`,
          start,
        );
      el = undefined;
    } else {
      const slot = parent.el.children.get(name);
      if (slot === undefined) this.misplaced(parent, name, start);
      el = compiled(slot.kind);
      if (parent.el.kind === 'Response') this.checkVerbPlacement(el, start);
      if (slot.group >= 0) {
        const group = parent.el.groups[slot.group];
        const count = parent.counts[slot.group] ?? 0;
        parent.counts[slot.group] = count + 1;
        if (group !== undefined) {
          const max = group.single === true ? 1 : group.max;
          if (max !== undefined && count >= max) {
            this.fail(
              SCHEMA_VALIDATION_ERROR,
              max === 1
                ? `${describe(parent.el, parent.tag)} accepts only one ${group.kinds.map((k) => `<${compiled(k as NodeKind).tag}>`).join(' or ')}`
                : `${describe(parent.el, parent.tag)} accepts at most ${max} nouns`,
              start,
            );
          }
        }
      }
    }

    const attributes = el === undefined ? {} : this.parseAttributes(el, tag.attributes, start);
    if (el === undefined) this.warnUnknownAttributes(name, tag.attributes, start);
    this.stack.push({
      el,
      tag: name,
      start,
      attributes,
      text: [],
      content: el?.mixed === true ? [] : undefined,
      groups: (el?.groups ?? []).map(() => []),
      counts: (el?.groups ?? []).map(() => 0),
      carried: undefined,
    });
  }

  private misplaced(parent: Frame, name: string, start: number): never {
    const where = describe(parent.el, parent.tag);
    if (!KNOWN_TAGS.has(name)) {
      const what =
        parent.el?.kind === 'Response'
          ? 'verb'
          : parent.el?.mixed === true
            ? 'SSML element'
            : 'noun';
      this.fail(
        SCHEMA_VALIDATION_ERROR,
        `<${clip(name)}> is not a TwiML ${what} (in ${where})`,
        start,
      );
    }
    this.fail(SCHEMA_VALIDATION_ERROR, `<${name}> is not allowed in ${where}`, start);
  }

  private checkVerbPlacement(el: CompiledElement, start: number): void {
    if (this.whisper && !WHISPER_VERBS.has(el.kind)) {
      this.fail(
        SCHEMA_VALIDATION_ERROR,
        `<${el.tag}> is not allowed in a whisper document, which may contain only <Say>, <Play>, <Pause>, <Gather> and <Hangup>`,
        start,
      );
    }
    if (this.ended !== undefined && !this.unreachableWarned) {
      this.unreachableWarned = true;
      this.warn(`<${el.tag}> is never reached: the document ends at ${this.ended}`, start);
    }
  }

  private warnUnknownAttributes(name: string, raw: Record<string, string>, start: number): void {
    for (const attr of Object.keys(raw))
      this.warn(`<${name}> has unknown attribute '${clip(attr)}' (ignored)`, start);
  }

  private parseAttributes(
    el: CompiledElement,
    raw: Record<string, string>,
    start: number,
  ): Record<string, AnyAttributeValue> {
    const out: Record<string, AnyAttributeValue> = { ...el.defaultValues };
    for (const name of Object.keys(raw)) {
      const value = raw[name] ?? '';
      const spec = el.attributes.get(name);
      if (spec === undefined) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
        this.warn(`<${el.tag}> has unknown attribute '${clip(name)}' (ignored)`, start);
        continue;
      }
      const parsed = parseAttribute(spec, value, this.numberCheck);
      if (parsed.ok === true) {
        out[name] = parsed.value;
      } else if (parsed.ok === 'empty') {
        this.warn(`<${el.tag}> attribute ${name} is empty (ignored)`, start);
      } else {
        this.fail(
          SCHEMA_VALIDATION_ERROR,
          `<${el.tag}> attribute ${name}="${clip(value)}" ${parsed.reason}`,
          start,
        );
      }
    }
    for (const name of el.required) {
      if (!Object.hasOwn(out, name))
        this.fail(SCHEMA_VALIDATION_ERROR, `<${el.tag}> requires the ${name} attribute`, start);
    }
    return out;
  }

  private onText(text: string, end: number): void {
    const frame = this.stack[this.stack.length - 1];
    const textStart = this.markupEnd;
    this.markupEnd = end;
    if (frame === undefined) return; // outside the root: saxes rejects anything but whitespace
    if (frame.content !== undefined) {
      const last = frame.content[frame.content.length - 1];
      if (last?.kind === 'text')
        frame.content[frame.content.length - 1] = { kind: 'text', value: last.value + text };
      else frame.content.push({ kind: 'text', value: text });
      return;
    }
    if (frame.el === undefined || frame.el.text !== undefined) {
      frame.text.push(text);
      return;
    }
    if (NON_WHITESPACE.test(text)) {
      this.fail(
        DOCUMENT_PARSE_FAILURE,
        `${describe(frame.el, frame.tag)} cannot contain text ('${clip(text.trim(), 30)}')`,
        firstTextIndex(this.xml, textStart),
      );
    }
  }

  private onClose(): void {
    this.markupEnd = this.parser.position;
    const frame = this.stack.pop();
    if (frame === undefined) return;
    const parent = this.stack[this.stack.length - 1];
    if (frame.el === undefined) {
      // A text carrier: hand its text to the parent.
      if (parent !== undefined) parent.carried = frame.text.join('').trim();
      return;
    }
    const node = this.build(frame, frame.el);
    if (parent === undefined) {
      this.document = node as TwimlDocument;
      return;
    }
    const slot = parent.el?.children.get(frame.tag);
    if (slot === undefined) return;
    if (slot.group < 0) {
      parent.content?.push(node as SsmlContent);
    } else {
      parent.groups[slot.group]?.push(node);
    }
    if (parent.el?.kind === 'Response') this.noteEnd(node);
  }

  private noteEnd(node: TwimlNode): void {
    if (this.ended !== undefined) return;
    if (node.kind === 'Hangup' || node.kind === 'Reject' || node.kind === 'Redirect')
      this.ended = `<${node.kind}>`;
    else if (
      node.kind === 'Dial' &&
      node.attributes.action !== undefined &&
      node.attributes.action !== ''
    ) {
      this.ended = '<Dial action>';
    }
  }

  private build(frame: Frame, el: CompiledElement): TwimlNode {
    const node: Record<string, unknown> = { kind: el.kind, attributes: freeze(frame.attributes) };
    const where = `<${el.tag}>`;
    const groups = frame.groups;

    const spec = el.text;
    if (spec !== undefined) {
      const joined = frame.text.join('');
      let value = spec.raw === true ? joined : joined.trim();
      if (frame.carried !== undefined) {
        if (value !== '')
          this.fail(
            SCHEMA_VALIDATION_ERROR,
            `${where} cannot have both text and <${spec.fromChild ?? ''}>`,
            frame.start,
          );
        value = frame.carried;
      }
      if (value === '') {
        if (spec.required)
          this.fail(
            SCHEMA_VALIDATION_ERROR,
            `${where} requires ${textDescription(el)}`,
            frame.start,
          );
      } else {
        const checked =
          spec.raw === true
            ? { ok: true as const, value }
            : checkText(spec.rule, value, this.numberCheck);
        if (!checked.ok)
          this.fail(SCHEMA_VALIDATION_ERROR, `${where} ${checked.reason}`, frame.start);
        if (spec.toChild !== undefined) {
          const group = groups[el.toChildGroup];
          if (group !== undefined && group.length > 0) {
            this.fail(
              DOCUMENT_PARSE_FAILURE,
              `${where} cannot mix a plain-text number with nouns`,
              frame.start,
            );
          }
          const kind = spec.toChild.kind as NodeKind;
          group?.push(
            freeze({
              kind,
              attributes: defaultAttributes(kind),
              [spec.toChild.field]: checked.value,
            }),
          );
        } else {
          node[spec.field] = checked.value;
        }
      }
    }

    el.groups.forEach((group, i) => {
      const list = groups[i] ?? [];
      if (group.min !== undefined && list.length < group.min) {
        const kinds = group.kinds.map((k) => `<${compiled(k as NodeKind).tag}>`);
        const what = kinds.length > 3 ? `a noun (${kinds.join(', ')})` : kinds.join(' or ');
        this.fail(SCHEMA_VALIDATION_ERROR, `${where} requires ${what}`, frame.start);
      }
      if (group.single === true) {
        if (list[0] !== undefined) node[group.field] = list[0];
      } else {
        node[group.field] = freeze(list);
      }
    });

    if (frame.content !== undefined)
      node.content = freeze(frame.content.map((c) => (c.kind === 'text' ? freeze(c) : c)));

    const built = freeze(node) as unknown as TwimlNode;
    this.runCheck(el.kind, built, frame.start);
    return built;
  }

  private runCheck(kind: NodeKind, node: TwimlNode, start: number): void {
    const check = CHECKS[kind] as
      ((node: NodeByKind[NodeKind], report: CheckReporter) => void) | undefined;
    if (check === undefined) return;
    check(node, {
      error: (message) => this.fail(SCHEMA_VALIDATION_ERROR, message, start),
      warn: (message) => this.warn(message, start),
      numberCheck: this.numberCheck,
    });
  }
}

/** The first character of text data from `from`: past whitespace, comments and processing instructions. */
function firstTextIndex(xml: string, from: number): number {
  let i = from;
  while (i < xml.length) {
    const c = xml.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return i;
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return i;
      i = end + 2;
    } else {
      return i;
    }
  }
  return from;
}

const REFERENCE = /^&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/;

/**
 * The index of the first '&' before `end` that does not start a character or built-in
 * entity reference, outside comments, CDATA sections and processing instructions; -1 if none.
 */
export function findBareAmpersand(xml: string, end: number): number {
  let i = 0;
  while (i <= end && i < xml.length) {
    const c = xml.charCodeAt(i);
    if (c === 0x3c /* < */) {
      const close = xml.startsWith('<!--', i)
        ? '-->'
        : xml.startsWith('<![CDATA[', i)
          ? ']]>'
          : xml.startsWith('<?', i)
            ? '?>'
            : undefined;
      if (close !== undefined) {
        const j = xml.indexOf(close, i + 2);
        if (j < 0) return -1;
        i = j + close.length;
        continue;
      }
    } else if (c === 0x26 /* & */ && !REFERENCE.test(xml.slice(i, i + 12))) {
      return i;
    }
    i++;
  }
  return -1;
}

function textDescription(el: CompiledElement): string {
  switch (el.text?.rule) {
    case 'url':
      return 'a URL';
    case 'phoneNumber':
    case 'e164':
      return 'a phone number';
    case 'sipUri':
      return 'a sip: URI';
    case 'json':
      return 'a JSON body';
    case 'text':
    case undefined:
      return el.text?.fromChild !== undefined ? `text or an <${el.text.fromChild}> child` : 'text';
  }
}

/**
 * Parses and validates a TwiML Voice document.
 *
 * Returns `{ ok: true, document, warnings }` or `{ ok: false, error }` with Twilio's code:
 * 11750 over 64 kB, 12100 not well-formed TwiML, 12200 schema violation. Never throws.
 */
export function parseTwiml(xml: string, options?: ParseOptions): ParseResult {
  try {
    if (typeof xml !== 'string') {
      return {
        ok: false,
        error: { code: DOCUMENT_PARSE_FAILURE, message: 'the document is not a string' },
      };
    }
    if (xml.length > MAX_DOCUMENT_BYTES || utf8Length(xml) > MAX_DOCUMENT_BYTES) {
      return {
        ok: false,
        error: {
          code: RESPONSE_BODY_TOO_LARGE,
          message: `the document is larger than ${MAX_DOCUMENT_BYTES / 1024} kB`,
        },
      };
    }
    return new TwimlParser(
      xml,
      options?.context === 'whisper',
      options?.numberCheck ?? 'valid',
    ).run();
  } catch (err: unknown) {
    if (err instanceof Abort) return { ok: false, error: err.error };
    // A bug, not a property of the document; still never throw at the caller.
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error: { code: DOCUMENT_PARSE_FAILURE, message: `internal parser error: ${message}` },
    };
  }
}

/** Every kind the parser knows (for tools and tests). */
export const NODE_KINDS: readonly NodeKind[] = [...COMPILED.keys()];

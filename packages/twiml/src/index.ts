/**
 * @parley/twiml: TwiML Voice, completely. A safe parser and validator with Twilio's error
 * codes, a typed immutable AST with defaults applied, and a serializer back to XML.
 * A pure library: no I/O.
 */
export { parseTwiml, NODE_KINDS, type ParseOptions, type ParseResult } from './parse';
export { serializeTwiml, serializeNode, type SerializeOptions } from './serialize';
export { ssmlPlainText } from './ssml';
export * from './errors';
export type * from './ast';
export {
  ELEMENTS,
  VERB_KINDS,
  WHISPER_VERB_KINDS,
  DIAL_NOUN_KINDS,
  CONNECT_NOUN_KINDS,
  START_NOUN_KINDS,
  STOP_NOUN_KINDS,
  SSML_KINDS,
  type NodeKind,
  type ElementSpec,
  type ChildGroup,
  type TextSpec,
} from './schema/elements';
export type {
  AttributeSpec,
  AttributeSpecs,
  AttributeValue,
  AttributesOf,
  HttpMethod,
  NumberCheck,
} from './schema/attributes';
export type { TextRule } from './schema/text';
export type { Position } from './source';

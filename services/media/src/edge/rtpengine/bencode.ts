/**
 * Bencode, the encoding of rtpengine's "ng" control protocol: byte strings (`4:spam`),
 * integers (`i42e`), lists (`l...e`) and dictionaries (`d...e`, keys sorted).
 * Decoded byte strings come back as UTF-8 strings: ng replies carry text (SDP, tags, ids).
 */
export type BencodeValue = string | number | Buffer | readonly BencodeValue[] | BencodeDict;
export interface BencodeDict {
  readonly [key: string]: BencodeValue | undefined;
}

export type DecodedValue = string | number | DecodedValue[] | DecodedDict;
export interface DecodedDict {
  [key: string]: DecodedValue;
}

export class BencodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BencodeError';
  }
}

export function bencode(value: BencodeValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: BencodeValue, parts: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError(`not an integer: ${value}`);
    parts.push(Buffer.from(`i${value}e`));
  } else if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    parts.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l'));
    for (const item of value as readonly BencodeValue[]) write(item, parts);
    parts.push(Buffer.from('e'));
  } else {
    const dict = value as BencodeDict;
    parts.push(Buffer.from('d'));
    // Keys sorted by their raw bytes, as the format requires.
    const keys = Object.keys(dict)
      .filter((k) => dict[k] !== undefined)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const key of keys) {
      write(key, parts);
      write(dict[key] as BencodeValue, parts);
    }
    parts.push(Buffer.from('e'));
  }
}

const CH_I = 0x69; // i
const CH_L = 0x6c; // l
const CH_D = 0x64; // d
const CH_E = 0x65; // e
const CH_COLON = 0x3a;

/** Decodes one complete value; trailing bytes or truncated input are errors. */
export function bdecode(input: Buffer): DecodedValue {
  const state = { pos: 0 };
  const value = read(input, state, 0);
  if (state.pos !== input.length) throw new BencodeError(`trailing bytes at ${state.pos}`);
  return value;
}

function read(buf: Buffer, state: { pos: number }, depth: number): DecodedValue {
  if (depth > 64) throw new BencodeError('nesting too deep');
  const c = buf[state.pos];
  if (c === undefined) throw new BencodeError('unexpected end of input');
  if (c === CH_I) {
    const end = buf.indexOf(CH_E, state.pos + 1);
    if (end < 0) throw new BencodeError('unterminated integer');
    const text = buf.toString('latin1', state.pos + 1, end);
    if (!/^-?\d+$/.test(text)) throw new BencodeError(`bad integer "${text}"`);
    state.pos = end + 1;
    return Number(text);
  }
  if (c === CH_L) {
    state.pos++;
    const list: DecodedValue[] = [];
    while (buf[state.pos] !== CH_E) {
      if (state.pos >= buf.length) throw new BencodeError('unterminated list');
      list.push(read(buf, state, depth + 1));
    }
    state.pos++;
    return list;
  }
  if (c === CH_D) {
    state.pos++;
    const dict: DecodedDict = {};
    while (buf[state.pos] !== CH_E) {
      if (state.pos >= buf.length) throw new BencodeError('unterminated dictionary');
      const key = read(buf, state, depth + 1);
      if (typeof key !== 'string') throw new BencodeError('dictionary key is not a string');
      dict[key] = read(buf, state, depth + 1);
    }
    state.pos++;
    return dict;
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = buf.indexOf(CH_COLON, state.pos);
    if (colon < 0) throw new BencodeError('unterminated string length');
    const lenText = buf.toString('latin1', state.pos, colon);
    if (!/^\d+$/.test(lenText)) throw new BencodeError(`bad string length "${lenText}"`);
    const len = Number(lenText);
    const start = colon + 1;
    if (start + len > buf.length) throw new BencodeError('truncated string');
    state.pos = start + len;
    return buf.toString('utf8', start, start + len);
  }
  throw new BencodeError(`unexpected byte 0x${c.toString(16)} at ${state.pos}`);
}

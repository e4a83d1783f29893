import { bdecode, bencode, BencodeError } from './bencode';

describe('bencode', () => {
  it('encodes dictionaries with sorted keys, as rtpengine expects', () => {
    const encoded = bencode({ 'call-id': 'CA1', command: 'offer', flags: ['a', 'b'], n: 3 });
    expect(encoded.toString()).toBe('d7:call-id3:CA17:command5:offer5:flagsl1:a1:be1:ni3ee');
  });

  it('counts string lengths in bytes, not characters', () => {
    expect(bencode('é').toString('latin1')).toBe('2:Ã©');
    expect(bdecode(bencode('ünïcode'))).toBe('ünïcode');
  });

  it('leaves out undefined dictionary values', () => {
    expect(bencode({ a: 'x', b: undefined }).toString()).toBe('d1:a1:xe');
  });

  it('round-trips an ng reply', () => {
    const reply = { result: 'ok', sdp: 'v=0\r\n', stats: { packets: 12, list: [1, 'two', [3]] } };
    expect(bdecode(bencode(reply))).toEqual(reply);
  });

  it('reads negative integers', () => {
    expect(bdecode(Buffer.from('i-42e'))).toBe(-42);
  });

  it.each([
    ['truncated string', '5:abc'],
    ['unterminated list', 'l1:a'],
    ['bad integer', 'i4x2e'],
    ['trailing bytes', 'i1ei2e'],
    ['non-string key', 'di1e1:ae'],
    ['garbage', 'x'],
  ])('rejects %s', (_label, input) => {
    expect(() => bdecode(Buffer.from(input))).toThrow(BencodeError);
  });

  it('refuses non-integer numbers', () => {
    expect(() => bencode(1.5)).toThrow(BencodeError);
  });
});

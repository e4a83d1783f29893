import { splitPortRange } from './port-ranges';

describe('splitPortRange', () => {
  it('covers the whole range with disjoint, contiguous pieces', () => {
    const ranges = splitPortRange(40000, 40009, 3);
    expect(ranges).toEqual([
      { min: 40000, max: 40002 },
      { min: 40003, max: 40005 },
      { min: 40006, max: 40009 },
    ]);
  });

  it('gives a single worker the whole range', () => {
    expect(splitPortRange(10000, 10100, 1)).toEqual([{ min: 10000, max: 10100 }]);
  });

  it('refuses more workers than ports', () => {
    expect(() => splitPortRange(10000, 10001, 3)).toThrow(RangeError);
  });
});

/**
 * The fixture sets: `fixtures/valid/*.xml` must parse (with the number of warnings their
 * sidecar gives, default none) and round-trip; `fixtures/invalid/*.xml` must fail with the
 * code (and, where given, the position and message) of their sidecar `.json`.
 */
import { parseTwiml } from './parse';
import { serializeTwiml } from './serialize';
import { loadFixtures } from './testing/fixtures';

const valid = loadFixtures('valid');
const invalid = loadFixtures('invalid');

describe('fixtures/valid', () => {
  it('has the seed examples and more', () => {
    expect(valid.filter((f) => f.name.startsWith('seed-')).length).toBeGreaterThanOrEqual(11);
    expect(valid.length).toBeGreaterThanOrEqual(40);
  });

  it.each(valid.map((f) => [f.name, f] as const))('%s', (_, fixture) => {
    const options = { context: fixture.meta.context };
    const result = parseTwiml(fixture.xml, options);
    if (!result.ok)
      throw new Error(
        `${result.error.code} ${result.error.message} at ${result.error.line}:${result.error.column}`,
      );
    expect(result.warnings).toHaveLength(fixture.meta.warnings ?? 0);
    for (const pretty of [undefined, 2]) {
      const again = parseTwiml(serializeTwiml(result.document, { indent: pretty }), options);
      expect(again.ok && again.document).toEqual(result.document);
    }
  });
});

describe('fixtures/invalid', () => {
  it('has every expectation in a sidecar', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(80);
    for (const fixture of invalid) expect([11750, 12100, 12200]).toContain(fixture.meta.code);
  });

  it.each(invalid.map((f) => [f.name, f] as const))('%s', (_, fixture) => {
    const result = parseTwiml(fixture.xml, { context: fixture.meta.context });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(fixture.meta.code);
    if (fixture.meta.line !== undefined) {
      expect({ line: result.error.line, column: result.error.column }).toEqual({
        line: fixture.meta.line,
        column: fixture.meta.column,
      });
    }
    if (fixture.meta.message !== undefined)
      expect(result.error.message).toContain(fixture.meta.message);
    if (result.error.code !== 11750) {
      expect(result.error.line).toBeGreaterThanOrEqual(1);
      expect(result.error.column).toBeGreaterThanOrEqual(1);
    }
  });

  it('whisper fixtures are valid documents outside a whisper', () => {
    for (const fixture of invalid.filter((f) => f.meta.context === 'whisper')) {
      expect(parseTwiml(fixture.xml).ok).toBe(true);
    }
  });
});

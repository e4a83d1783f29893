import { oneOfCheck, sidCheck } from './sql-checks';

describe('CHECK expressions', () => {
  it('are written the way the migrations hold them', () => {
    expect(oneOfCheck('status', ['in-progress', 'completed'])).toBe(
      `"status" IN ('in-progress', 'completed')`,
    );
    expect(oneOfCheck('name', ["o'brien"])).toBe(`"name" IN ('o''brien')`);
    expect(sidCheck('sid', 'CA')).toBe(`"sid" ~ '^CA[0-9a-f]{32}$'`);
  });
});

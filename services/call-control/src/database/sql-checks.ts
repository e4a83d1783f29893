import { type SidPrefix } from '@parley/contracts';

/**
 * CHECK constraint expressions built from the constants the code uses, so the database
 * accepts exactly the values the types allow. The text must stay byte for byte what the
 * committed migrations hold (the schema suite compares them).
 */

/** `"column" IN ('a', 'b')`: the column holds one of these values. */
export function oneOfCheck(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')})`;
}

/** `"column" ~ '^XX[0-9a-f]{32}$'`: the column holds a sid of this kind. */
export function sidCheck(column: string, prefix: SidPrefix): string {
  return `"${column}" ~ '^${prefix}[0-9a-f]{32}$'`;
}

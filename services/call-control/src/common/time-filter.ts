import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

export interface TimeBound {
  from?: Date;
  to?: Date;
}

/** A date filter of a list as given (for the page URIs) and the bound it means. */
export interface TimeFilter {
  text: string;
  bound: TimeBound;
}

/** `=`: that day (or the day of that instant); `<`: on or before; `>`: on or after. */
export type TimeFilterMode = '=' | '<' | '>';

const DAY_MS = 86_400_000;

/**
 * `StartTime=2024-05-01` is that (UTC) day; `StartTime<` means on or before, `StartTime>`
 * on or after. A date means the whole day, a date-time its instant. Null when `value` is
 * neither a date (YYYY-MM-DD) nor an ISO 8601 date-time.
 */
export function timeBound(value: string, mode: TimeFilterMode): TimeBound | null {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const instant = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(instant.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const dayStart = new Date(
    Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()),
  );
  const dayEnd = new Date(dayStart.getTime() + DAY_MS - 1);
  if (mode === '=') return { from: dayStart, to: dayEnd };
  if (mode === '<') return { to: dateOnly ? dayEnd : instant };
  return { from: dateOnly ? dayStart : instant };
}

/**
 * Twilio's date filters of a list (`StartTime`, `StartTime<`, `StartTime>`, likewise
 * `EndTime` and `DateCreated`), parsed by the list's query schema, as conditions on `column`.
 */
export function applyTimeFilter<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  name: string,
  filters: readonly (TimeFilter | undefined)[],
): void {
  filters.forEach((filter, i) => {
    const bound = filter?.bound;
    if (bound?.from)
      qb.andWhere(`${column} >= :${name}From${i}`, { [`${name}From${i}`]: bound.from });
    if (bound?.to) qb.andWhere(`${column} <= :${name}To${i}`, { [`${name}To${i}`]: bound.to });
  });
}

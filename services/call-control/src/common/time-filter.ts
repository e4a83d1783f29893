import { ParleyError } from '@parley/contracts';
import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

export interface TimeBound {
  from?: Date;
  to?: Date;
}

const DAY_MS = 86_400_000;

/**
 * `StartTime=2024-05-01` is that (UTC) day; `StartTime<` means on or before, `StartTime>`
 * on or after. A date means the whole day, a date-time its instant.
 */
export function timeBound(name: string, value: string, mode: '=' | '<' | '>'): TimeBound {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const instant = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(instant.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ParleyError(20001, `${name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time`);
  }
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
 * `EndTime` and `DateCreated`) as conditions on `column`.
 */
export function applyTimeFilter<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  name: string,
  filters: Readonly<Record<string, string | undefined>>,
): void {
  const bounds: TimeBound[] = [];
  const eq = filters[name];
  const before = filters[`${name}<`];
  const after = filters[`${name}>`];
  if (eq) bounds.push(timeBound(name, eq, '='));
  if (before) bounds.push(timeBound(`${name}<`, before, '<'));
  if (after) bounds.push(timeBound(`${name}>`, after, '>'));
  bounds.forEach((b, i) => {
    if (b.from) qb.andWhere(`${column} >= :${name}From${i}`, { [`${name}From${i}`]: b.from });
    if (b.to) qb.andWhere(`${column} <= :${name}To${i}`, { [`${name}To${i}`]: b.to });
  });
}

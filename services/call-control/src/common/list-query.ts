import { z } from 'zod';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE,
  MAX_PAGE_SIZE,
  type PageCursor,
  type PageRequest,
} from './paging';
import { type TimeFilter, type TimeFilterMode, timeBound } from './time-filter';
import { firstValue, parseForm, twilioIssue } from './twilio-form';

/**
 * The query strings of the REST list endpoints: one zod schema per endpoint, made of the
 * paging fields every list takes and the endpoint's own filters, parsed (with
 * `parseForm`) into a `ListQuery` and documented in OpenAPI from the same schema.
 */

/** A query value as sent, untrimmed; a repeated key takes its first value. */
function sentValue(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' ? first : undefined;
}

const sent = (description: string) =>
  z.preprocess(sentValue, z.string().optional()).describe(description);

const PAGE_FIELDS = {
  PageSize: sent(`Records per page (1-${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE})`).transform(
    (raw, ctx): number => {
      const size = raw === undefined ? DEFAULT_PAGE_SIZE : Number(raw);
      if (Number.isInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE) return size;
      twilioIssue(ctx, 20001, `PageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
      return z.NEVER;
    },
  ),
  Page: sent('Page number').transform((raw, ctx): number => {
    const page = raw === undefined ? 0 : Number(raw);
    if (/^\d{1,9}$/.test(raw ?? '0') && Number.isInteger(page) && page <= MAX_PAGE) return page;
    twilioIssue(ctx, 20001, `Page must be an integer from 0 to ${MAX_PAGE}`);
    return z.NEVER;
  }),
  PageToken: sent('Paging token (from a page URI)').transform((raw, ctx): PageCursor | null => {
    if (!raw) return null;
    const cursor = raw.length > 1024 ? null : decodeCursor(raw);
    if (cursor) return cursor;
    twilioIssue(ctx, 20001, 'PageToken is not valid');
    return z.NEVER;
  }),
};

/** A list request: the page asked for and the endpoint's filters. */
export interface ListQuery<F> {
  page: PageRequest;
  filters: F;
}

/** The query schema of a list endpoint: paging, then `filters` (checked in that order). */
export function listQuery<F extends z.ZodRawShape>(filters: F) {
  return z.object(PAGE_FIELDS).extend(filters);
}

type Paging = z.output<z.ZodObject<typeof PAGE_FIELDS>>;

/** What a list endpoint's query schema makes of its query: the page and the filters. */
export type ListCommand<S extends z.ZodTypeAny> = ListQuery<Omit<z.output<S>, keyof Paging>>;

/** Parses a list endpoint's query with its schema; the first problem is answered (20001). */
export function parseListQuery<S extends z.ZodType<Paging, z.ZodTypeDef, unknown>>(
  schema: S,
  query: unknown,
): ListCommand<S> {
  const { PageSize, Page, PageToken, ...filters } = parseForm(schema, query);
  return { page: { page: Page, pageSize: PageSize, cursor: PageToken }, filters };
}

/** The query of a list without filters. */
export const PageQuery = listQuery({});

/** A filter compared as given: trimmed, empty counts as absent. */
export function textFilter(description: string) {
  return z.preprocess(firstValue, z.string().optional()).describe(description);
}

/** A filter that must be one of `allowed`, spelled exactly. */
export function oneOfFilter<const T extends string>(
  name: string,
  allowed: readonly T[],
  description: string,
) {
  return textFilter(description).transform((value, ctx): T | undefined => {
    if (value === undefined) return undefined;
    const known = allowed.find((a) => a === value);
    if (known !== undefined) return known;
    twilioIssue(ctx, 20001, `${name} must be one of ${allowed.join(', ')}`);
    return z.NEVER;
  });
}

/** A date filter (`StartTime`, `StartTime<`, `StartTime>`...): a date or an ISO 8601 date-time. */
export function timeFilter(name: string, mode: TimeFilterMode, description: string) {
  return textFilter(description).transform((text, ctx): TimeFilter | undefined => {
    if (text === undefined) return undefined;
    const bound = timeBound(text, mode);
    if (bound) return { text, bound };
    twilioIssue(ctx, 20001, `${name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time`);
    return z.NEVER;
  });
}

/** Parsed filters as the page URIs carry them (the text each was given as). */
export function filterTexts(
  filters: Readonly<Record<string, string | TimeFilter | undefined>>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(filters).map(([name, value]) => [
      name,
      typeof value === 'object' ? value.text : value,
    ]),
  );
}

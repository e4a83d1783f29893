import { ParleyError } from '@parley/contracts';
import { type ObjectLiteral, type Repository, type SelectQueryBuilder } from 'typeorm';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
/**
 * Largest `Page` number. Pages past the first are read with a token; a bare page number
 * becomes an OFFSET, and an offset PostgreSQL cannot hold must be a 400, not a 500.
 */
export const MAX_PAGE = 100_000;

/** A position in a keyset-ordered list: the sort key of the row next to it. */
export interface PageCursor {
  /** `after`: rows following the key in list order; `before`: rows preceding it. */
  direction: 'after' | 'before';
  key: readonly (string | number)[];
}

export interface PageRequest {
  page: number;
  pageSize: number;
  cursor: PageCursor | null;
}

type QueryValue = string | string[] | undefined;

/** Twilio's `PageToken`: `PA` (after) or `PB` (before) and the base64url JSON sort key. */
export function encodeCursor(cursor: PageCursor): string {
  const prefix = cursor.direction === 'after' ? 'PA' : 'PB';
  return prefix + Buffer.from(JSON.stringify(cursor.key), 'utf8').toString('base64url');
}

/** The position a `PageToken` names, or null when it is not one `encodeCursor` could have made. */
export function decodeCursor(token: string): PageCursor | null {
  const prefix = token.slice(0, 2);
  if (prefix !== 'PA' && prefix !== 'PB') return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token.slice(2), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (
    !Array.isArray(key) ||
    key.length === 0 ||
    key.length > 4 ||
    !key.every((k) => typeof k === 'string' || typeof k === 'number')
  ) {
    return null;
  }
  return { direction: prefix === 'PA' ? 'after' : 'before', key: key };
}

function invalidToken(): ParleyError {
  return new ParleyError(20001, 'PageToken is not valid');
}

export interface KeysetColumn {
  /** SQL expression, e.g. `c.date_created`. */
  expr: string;
  /** Cast of the cursor value, e.g. `timestamptz`. */
  cast?: 'timestamptz' | 'bigint';
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A PageToken is client input: each key value must be what its column holds, or the
 * query fails in PostgreSQL (a 500). Checked here, it is a 400 like any other bad token.
 */
function validKeyValue(column: KeysetColumn, value: string | number): boolean {
  switch (column.cast) {
    case 'timestamptz':
      return (
        typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
      );
    case 'bigint':
      return (
        (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
        (typeof value === 'string' && /^\d{1,18}$/.test(value))
      );
    case undefined:
      return typeof value === 'string' && value.length <= 64 && !value.includes('\u0000');
  }
}

/**
 * Applies list order and the cursor to a query, fetching one row more than a page so the
 * caller knows whether another page exists. All columns sort in the same direction, so a
 * row-value comparison `(a, b) < (x, y)` expresses "after".
 */
export function applyKeyset<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  columns: readonly KeysetColumn[],
  order: 'ASC' | 'DESC',
  request: PageRequest,
): SelectQueryBuilder<T> {
  const reverse = request.cursor?.direction === 'before';
  const effective: 'ASC' | 'DESC' = reverse ? (order === 'ASC' ? 'DESC' : 'ASC') : order;
  if (request.cursor) {
    const { key } = request.cursor;
    if (key.length !== columns.length) throw invalidToken();
    if (!columns.every((c, i) => validKeyValue(c, key[i] as string | number))) throw invalidToken();
    const lhs = `(${columns.map((c) => c.expr).join(', ')})`;
    const rhs = `(${columns.map((c, i) => `:k${i}${c.cast ? `::${c.cast}` : ''}`).join(', ')})`;
    const op = effective === 'DESC' ? '<' : '>';
    const params: Record<string, string | number> = {};
    request.cursor.key.forEach((v, i) => (params[`k${i}`] = v));
    qb.andWhere(`${lhs} ${op} ${rhs}`, params);
  } else if (request.page > 0) {
    // A page number without a token (older clients): plain offset.
    qb.offset(request.page * request.pageSize);
  }
  columns.forEach((c, i) =>
    i === 0 ? qb.orderBy(c.expr, effective) : qb.addOrderBy(c.expr, effective),
  );
  return qb.limit(request.pageSize + 1);
}

/** The order most lists have: newest first, the sid breaking ties (`alias` names the table). */
export function newestFirst<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  request: PageRequest,
): SelectQueryBuilder<T> {
  return applyKeyset(
    qb,
    [{ expr: `${alias}.date_created`, cast: 'timestamptz' }, { expr: `${alias}.sid` }],
    'DESC',
    request,
  );
}

/** The sort key of a row of a `newestFirst` list, for its page tokens. */
export function newestFirstKey(row: { dateCreated: Date; sid: string }): string[] {
  return [row.dateCreated.toISOString(), row.sid];
}

export interface TwilioPage {
  [resourceKey: string]: unknown;
  first_page_uri: string;
  next_page_uri: string | null;
  previous_page_uri: string | null;
  uri: string;
  page: number;
  page_size: number;
  start: number;
  end: number;
}

function queryString(filters: Record<string, QueryValue>, extra: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

/**
 * A Twilio list page: records under `resourceKey`, relative `*_page_uri`s carrying the
 * filters, `PageSize`, `Page` and `PageToken`. `rows` is what `applyKeyset` fetched.
 */
export function buildPage<R>(opts: {
  path: string;
  resourceKey: string;
  filters: Record<string, QueryValue>;
  request: PageRequest;
  rows: R[];
  keyOf: (row: R) => (string | number)[];
  serialize: (row: R) => unknown;
}): TwilioPage {
  const { request } = opts;
  const reverse = request.cursor?.direction === 'before';
  const more = opts.rows.length > request.pageSize;
  const rows = opts.rows.slice(0, request.pageSize);
  if (reverse) rows.reverse();
  const uriFor = (extra: Record<string, string>) =>
    `${opts.path}?${queryString(opts.filters, extra)}`;
  const size = String(request.pageSize);
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = reverse ? rows.length > 0 : more;
  const hasPrevious = reverse ? more : request.page > 0 && rows.length > 0;
  const start = request.page * request.pageSize;
  const current: Record<string, string> = { PageSize: size, Page: String(request.page) };
  if (request.cursor) current.PageToken = encodeCursor(request.cursor);
  return {
    [opts.resourceKey]: rows.map(opts.serialize),
    first_page_uri: uriFor({ PageSize: size, Page: '0' }),
    next_page_uri:
      hasNext && last
        ? uriFor({
            PageSize: size,
            Page: String(request.page + 1),
            PageToken: encodeCursor({ direction: 'after', key: opts.keyOf(last) }),
          })
        : null,
    previous_page_uri:
      hasPrevious && first && request.page > 0
        ? uriFor({
            PageSize: size,
            Page: String(request.page - 1),
            PageToken: encodeCursor({ direction: 'before', key: opts.keyOf(first) }),
          })
        : null,
    uri: uriFor(current),
    page: request.page,
    page_size: request.pageSize,
    start,
    end: rows.length ? start + rows.length - 1 : start,
  };
}

/** A page of Twilio's v1/v2 APIs: the records under `key` and a `meta` block with absolute URLs. */
export interface TwilioV2Page {
  [resourceKey: string]: unknown;
  meta: {
    page: number;
    page_size: number;
    first_page_url: string;
    previous_page_url: string | null;
    url: string;
    next_page_url: string | null;
    key: string;
  };
}

/** The v1/v2 shape of a page `buildPage` made with `resourceKey` `key`. */
export function v2Page(page: TwilioPage, key: string, baseUrl: string): TwilioV2Page {
  return {
    [key]: page[key],
    meta: {
      page: page.page,
      page_size: page.page_size,
      first_page_url: baseUrl + page.first_page_uri,
      previous_page_url: page.previous_page_uri ? baseUrl + page.previous_page_uri : null,
      url: baseUrl + page.uri,
      next_page_url: page.next_page_uri ? baseUrl + page.next_page_uri : null,
      key,
    },
  };
}

/**
 * A v1/v2 list (Content, Senders): one page of an account's rows, newest first, under
 * `key`, with the `meta` block; `filters` are the ones the page URIs carry.
 */
export async function accountV2Page<E extends ObjectLiteral & { dateCreated: Date; sid: string }>(
  rows: Repository<E>,
  opts: {
    accountSid: string;
    path: string;
    key: string;
    filters: Record<string, QueryValue>;
    request: PageRequest;
    baseUrl: string;
    serialize: (row: E, baseUrl: string) => unknown;
  },
): Promise<TwilioV2Page> {
  const qb = rows.createQueryBuilder('r').where('r.account_sid = :accountSid', {
    accountSid: opts.accountSid,
  });
  const page = buildPage({
    path: opts.path,
    resourceKey: opts.key,
    filters: opts.filters,
    request: opts.request,
    rows: await newestFirst(qb, 'r', opts.request).getMany(),
    keyOf: newestFirstKey,
    serialize: (row) => opts.serialize(row, opts.baseUrl),
  });
  return v2Page(page, opts.key, opts.baseUrl);
}

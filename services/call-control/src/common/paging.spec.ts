import { buildPage, decodeCursor, encodeCursor, type PageRequest, v2Page } from './paging';

interface Row {
  sid: string;
  n: number;
}
const rows = (from: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ sid: `CA${from + i}`, n: from + i }));

function page(request: PageRequest, fetched: Row[]) {
  return buildPage({
    path: '/2010-04-01/Accounts/AC1/Calls.json',
    resourceKey: 'calls',
    filters: { To: 'whatsapp:+14155551234', Status: undefined },
    request,
    rows: fetched,
    keyOf: (r) => [r.n, r.sid],
    serialize: (r) => r.sid,
  });
}

describe('PageToken cursors', () => {
  it('round-trips after and before cursors', () => {
    const after = encodeCursor({ direction: 'after', key: ['2024-01-01T00:00:00.000Z', 'CAabc'] });
    expect(after.startsWith('PA')).toBe(true);
    expect(decodeCursor(after)).toEqual({
      direction: 'after',
      key: ['2024-01-01T00:00:00.000Z', 'CAabc'],
    });
    expect(decodeCursor(encodeCursor({ direction: 'before', key: [7] }))).toEqual({
      direction: 'before',
      key: [7],
    });
  });

  it.each([
    'XX123',
    'PA!!!',
    'PA' + Buffer.from('{"a":1}').toString('base64url'),
    'PA' + Buffer.from('[]').toString('base64url'),
    'PA' + Buffer.from('[{}]').toString('base64url'),
  ])('reads the malformed token %s as no cursor', (token) => {
    expect(decodeCursor(token)).toBeNull();
  });
});

describe('buildPage', () => {
  it('first page with more rows: next page carries filters, size, page number and an after-token', () => {
    const p = page({ page: 0, pageSize: 2, cursor: null }, rows(0, 3));
    expect(p.calls).toEqual(['CA0', 'CA1']);
    expect(p.previous_page_uri).toBeNull();
    expect(p.first_page_uri).toBe(
      '/2010-04-01/Accounts/AC1/Calls.json?To=whatsapp%3A%2B14155551234&PageSize=2&Page=0',
    );
    const next = new URL(`http://x${p.next_page_uri ?? ''}`);
    expect(next.searchParams.get('To')).toBe('whatsapp:+14155551234');
    expect(next.searchParams.get('Page')).toBe('1');
    expect(decodeCursor(next.searchParams.get('PageToken') ?? '')).toEqual({
      direction: 'after',
      key: [1, 'CA1'],
    });
    expect([p.start, p.end, p.page, p.page_size]).toEqual([0, 1, 0, 2]);
  });

  it('last page: no next page, a previous page with a before-token', () => {
    const token = { direction: 'after' as const, key: [1, 'CA1'] };
    const p = page({ page: 1, pageSize: 2, cursor: token }, rows(2, 1));
    expect(p.calls).toEqual(['CA2']);
    expect(p.next_page_uri).toBeNull();
    const prev = new URL(`http://x${p.previous_page_uri ?? ''}`);
    expect(prev.searchParams.get('Page')).toBe('0');
    expect(decodeCursor(prev.searchParams.get('PageToken') ?? '')).toEqual({
      direction: 'before',
      key: [2, 'CA2'],
    });
    expect(p.uri).toContain(`PageToken=${encodeCursor(token)}`);
    expect([p.start, p.end]).toEqual([2, 2]);
  });

  it('going back: rows fetched in reverse are put back in list order', () => {
    const p = page({ page: 1, pageSize: 2, cursor: { direction: 'before', key: [4, 'CA4'] } }, [
      { sid: 'CA3', n: 3 },
      { sid: 'CA2', n: 2 },
      { sid: 'CA1', n: 1 },
    ]);
    expect(p.calls).toEqual(['CA2', 'CA3']);
    expect(p.next_page_uri).not.toBeNull();
    expect(p.previous_page_uri).not.toBeNull();
  });

  it('an empty list is one empty page', () => {
    const p = page({ page: 0, pageSize: 50, cursor: null }, []);
    expect(p.calls).toEqual([]);
    expect(p.next_page_uri).toBeNull();
    expect(p.previous_page_uri).toBeNull();
    expect([p.start, p.end]).toEqual([0, 0]);
  });
});

describe('v2Page', () => {
  it('moves the records under their key and makes the page URIs absolute', () => {
    const p = page({ page: 0, pageSize: 2, cursor: null }, rows(0, 3));
    const v2 = v2Page(p, 'calls', 'https://api.example');
    expect(v2.calls).toEqual(['CA0', 'CA1']);
    expect(v2.meta).toMatchObject({
      page: 0,
      page_size: 2,
      previous_page_url: null,
      key: 'calls',
      url: `https://api.example${p.uri}`,
      first_page_url: `https://api.example${p.first_page_uri}`,
      next_page_url: `https://api.example${p.next_page_uri ?? ''}`,
    });
  });
});

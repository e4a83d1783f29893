import { ParleyError } from '@parley/contracts';
import { PageQuery, parseListQuery } from './list-query';
import { encodeCursor } from './paging';

/** The Twilio code and message of the ParleyError `fn` throws. */
function thrown(fn: () => unknown): { code: number; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ParleyError ? { code: error.code, message: error.message } : undefined;
  }
  return undefined;
}

describe('PageQuery', () => {
  it('defaults to the first page of 50', () => {
    expect(parseListQuery(PageQuery, {}).page).toEqual({ page: 0, pageSize: 50, cursor: null });
  });

  it('reads Page, PageSize and PageToken (a repeated key takes its first value)', () => {
    const token = encodeCursor({ direction: 'after', key: [1, 'x'] });
    expect(
      parseListQuery(PageQuery, { Page: '2', PageSize: ['10', '20'], PageToken: token }),
    ).toEqual({
      page: { page: 2, pageSize: 10, cursor: { direction: 'after', key: [1, 'x'] } },
      filters: {},
    });
  });

  it.each([
    [{ PageSize: '0' }, 'PageSize must be an integer from 1 to 1000'],
    [{ PageSize: '1001' }, 'PageSize must be an integer from 1 to 1000'],
    [{ PageSize: 'x' }, 'PageSize must be an integer from 1 to 1000'],
    [{ Page: '-1' }, 'Page must be an integer from 0 to 100000'],
    [{ Page: '1.5' }, 'Page must be an integer from 0 to 100000'],
    [{ Page: '1e30' }, 'Page must be an integer from 0 to 100000'],
    [{ Page: '99999999999' }, 'Page must be an integer from 0 to 100000'],
    [{ Page: '100001' }, 'Page must be an integer from 0 to 100000'],
    [{ PageToken: 'PA' + 'A'.repeat(2000) }, 'PageToken is not valid'],
    [{ PageToken: 'XX123' }, 'PageToken is not valid'],
    [{ PageToken: 'PA' + Buffer.from('[]').toString('base64url') }, 'PageToken is not valid'],
  ])('rejects %j with 20001: %s', (query, message) => {
    expect(thrown(() => parseListQuery(PageQuery, query))).toEqual({ code: 20001, message });
  });
});

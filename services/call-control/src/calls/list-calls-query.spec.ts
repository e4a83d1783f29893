import { ParleyError } from '@parley/contracts';
import { filterTexts, parseListQuery } from '../common/list-query';
import { ListCallsQuery } from './calls.schemas';

/** The Twilio code and message of the ParleyError `fn` throws. */
function thrown(fn: () => unknown): { code: number; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ParleyError ? { code: error.code, message: error.message } : undefined;
  }
  return undefined;
}

describe('ListCallsQuery', () => {
  it('parses the filters: trimmed text, the status, and date bounds', () => {
    const { page, filters } = parseListQuery(ListCallsQuery, {
      To: ' whatsapp:+14155551234 ',
      Status: 'completed',
      StartTime: '2024-05-01',
      'EndTime<': '2024-05-02T10:00:00Z',
    });
    expect(page).toEqual({ page: 0, pageSize: 50, cursor: null });
    expect(filters.To).toBe('whatsapp:+14155551234');
    expect(filters.Status).toBe('completed');
    expect(filters.StartTime?.bound).toEqual({
      from: new Date('2024-05-01T00:00:00.000Z'),
      to: new Date('2024-05-01T23:59:59.999Z'),
    });
    expect(filters['EndTime<']?.bound).toEqual({ to: new Date('2024-05-02T10:00:00Z') });
    expect(filterTexts(filters)).toEqual({
      To: 'whatsapp:+14155551234',
      From: undefined,
      ParentCallSid: undefined,
      Status: 'completed',
      StartTime: '2024-05-01',
      'StartTime<': undefined,
      'StartTime>': undefined,
      EndTime: undefined,
      'EndTime<': '2024-05-02T10:00:00Z',
      'EndTime>': undefined,
    });
  });

  it('answers a status Twilio does not have (spelled exactly) with 20001', () => {
    expect(thrown(() => parseListQuery(ListCallsQuery, { Status: 'Completed' }))).toEqual({
      code: 20001,
      message: expect.stringMatching(/^Status must be one of queued, /) as unknown,
    });
  });

  it('answers a date that is not one with 20001, naming the filter', () => {
    expect(thrown(() => parseListQuery(ListCallsQuery, { 'StartTime>': 'yesterday' }))).toEqual({
      code: 20001,
      message: 'StartTime> must be a date (YYYY-MM-DD) or an ISO 8601 date-time',
    });
  });

  it('checks paging before the filters, as Twilio answers the first problem', () => {
    expect(
      thrown(() => parseListQuery(ListCallsQuery, { Status: 'nope', PageSize: '0' }))?.message,
    ).toBe('PageSize must be an integer from 1 to 1000');
  });
});

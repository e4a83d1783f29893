import { callHoursProblems, isWithinCallHours, localTime } from './call-hours';
import type { CallHours } from './types';

const hours = (overrides: Partial<CallHours> = {}): CallHours => ({
  status: 'ENABLED',
  timezone_id: 'America/New_York',
  weekly_operating_hours: [
    { day_of_week: 'MONDAY', open_time: '0900', close_time: '1700' },
    { day_of_week: 'SATURDAY', open_time: '1000', close_time: '1200' },
  ],
  holiday_schedule: [],
  ...overrides,
});

// Monday 2025-06-02 10:30 in New York is 14:30 UTC (EDT, UTC-4).
const MONDAY_1030_NY = Date.UTC(2025, 5, 2, 14, 30);

describe('call hours', () => {
  it('reads local day and time in the business’s time zone', () => {
    expect(localTime(MONDAY_1030_NY, 'America/New_York')).toEqual({
      day: 'MONDAY',
      hhmm: '1030',
      date: '2025-06-02',
    });
    expect(localTime(MONDAY_1030_NY, 'Asia/Tokyo')).toEqual({
      day: 'MONDAY',
      hhmm: '2330',
      date: '2025-06-02',
    });
  });

  it('is open inside the weekly hours and closed outside', () => {
    expect(isWithinCallHours(hours(), MONDAY_1030_NY)).toBe(true);
    expect(isWithinCallHours(hours(), MONDAY_1030_NY + 7 * 3_600_000)).toBe(false); // 17:30
    expect(isWithinCallHours(hours(), MONDAY_1030_NY + 24 * 3_600_000)).toBe(false); // Tuesday
    expect(isWithinCallHours(hours({ status: 'DISABLED' }), MONDAY_1030_NY + 24 * 3_600_000)).toBe(
      true,
    );
    expect(isWithinCallHours(null, 0)).toBe(true);
  });

  it('is closed during a holiday', () => {
    const holiday = hours({
      holiday_schedule: [{ date: '2025-06-02', start_time: '0000', end_time: '2359' }],
    });
    expect(isWithinCallHours(holiday, MONDAY_1030_NY)).toBe(false);
  });

  it('reports invalid hours', () => {
    expect(callHoursProblems(hours())).toEqual([]);
    expect(callHoursProblems(hours({ timezone_id: 'Nowhere/City' }))[0]).toMatch(/timezone_id/);
    expect(
      callHoursProblems(
        hours({
          weekly_operating_hours: [
            { day_of_week: 'MONDAY', open_time: '0900', close_time: '1200' },
            { day_of_week: 'MONDAY', open_time: '1100', close_time: '1300' },
          ],
        }),
      ),
    ).toEqual(['overlapping operating hours on MONDAY']);
    expect(callHoursProblems(hours({ weekly_operating_hours: [] }))).toEqual([
      'weekly_operating_hours is required when call_hours is ENABLED',
    ]);
  });
});

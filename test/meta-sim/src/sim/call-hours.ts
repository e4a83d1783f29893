import { WEEKDAYS, type CallHours, type Weekday } from './types';

const TIME = /^([01]\d|2[0-3])[0-5]\d$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Problems with a `call_hours` object, in Meta's vocabulary (empty when valid). */
export function callHoursProblems(hours: CallHours): string[] {
  const problems: string[] = [];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone_id });
  } catch {
    problems.push(`timezone_id ${JSON.stringify(hours.timezone_id)} is not a valid IANA time zone`);
  }
  const perDay = new Map<Weekday, Array<[string, string]>>();
  for (const slot of hours.weekly_operating_hours) {
    if (!TIME.test(slot.open_time) || !TIME.test(slot.close_time)) {
      problems.push(`open_time/close_time must be HHMM, got ${slot.open_time}-${slot.close_time}`);
      continue;
    }
    if (slot.open_time >= slot.close_time) {
      problems.push(
        `open_time ${slot.open_time} must be before close_time ${slot.close_time} on ${slot.day_of_week}`,
      );
      continue;
    }
    const slots = perDay.get(slot.day_of_week) ?? [];
    if (slots.some(([open, close]) => slot.open_time < close && open < slot.close_time)) {
      problems.push(`overlapping operating hours on ${slot.day_of_week}`);
    }
    slots.push([slot.open_time, slot.close_time]);
    perDay.set(slot.day_of_week, slots);
  }
  for (const holiday of hours.holiday_schedule) {
    if (!DATE.test(holiday.date))
      problems.push(`holiday date must be YYYY-MM-DD, got ${holiday.date}`);
    if (
      !TIME.test(holiday.start_time) ||
      !TIME.test(holiday.end_time) ||
      holiday.start_time >= holiday.end_time
    ) {
      problems.push(`holiday ${holiday.date} needs start_time < end_time in HHMM`);
    }
  }
  if (hours.status === 'ENABLED' && hours.weekly_operating_hours.length === 0) {
    problems.push('weekly_operating_hours is required when call_hours is ENABLED');
  }
  return problems;
}

/** Day, time and date of an instant in a time zone, as call hours are written. */
export function localTime(
  instantMs: number,
  timeZone: string,
): { day: Weekday; hhmm: string; date: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toUpperCase() as Weekday;
  if (!WEEKDAYS.includes(day)) throw new Error(`unexpected weekday ${day}`);
  return {
    day,
    hhmm: `${get('hour')}${get('minute')}`,
    date: `${get('year')}-${get('month')}-${get('day')}`,
  };
}

/**
 * Whether users can call the business at an instant. Outside the hours WhatsApp does not
 * place the call at all (the user is offered a callback request instead).
 */
export function isWithinCallHours(hours: CallHours | null, instantMs: number): boolean {
  if (!hours || hours.status !== 'ENABLED') return true;
  const { day, hhmm, date } = localTime(instantMs, hours.timezone_id);
  const holiday = hours.holiday_schedule.find(
    (h) => h.date === date && h.start_time <= hhmm && hhmm < h.end_time,
  );
  if (holiday) return false;
  return hours.weekly_operating_hours.some(
    (slot) => slot.day_of_week === day && slot.open_time <= hhmm && hhmm < slot.close_time,
  );
}

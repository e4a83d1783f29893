import { z } from 'zod';
import { listQuery, oneOfFilter, PageQuery, textFilter, timeFilter } from '../common/list-query';
import { twilioIssue } from '../common/twilio-form';

/** `Notifications.json` (account and call): Twilio's `Log` and `MessageDate` filters. */
export const ListNotificationsQuery = listQuery({
  Log: oneOfFilter(
    'Log',
    ['0', '1'] as const,
    '0: errors only (callbacks that failed for good), 1: warnings only (failed attempts retried)',
  ),
  MessageDate: timeFilter('MessageDate', '=', 'On this date (YYYY-MM-DD)'),
  'MessageDate<': timeFilter('MessageDate<', '<', 'On or before'),
  'MessageDate>': timeFilter('MessageDate>', '>', 'On or after'),
});

/** Twilio's levels; Parley logs errors and warnings only, so the others match nothing. */
export const LOG_LEVELS = ['error', 'warning', 'notice', 'debug'] as const;

/** An ISO 8601 date-time filter (Monitor's `StartDate`/`EndDate`). */
function dateTimeFilter(name: string, description: string) {
  return textFilter(description).transform((text, ctx): Date | undefined => {
    if (text === undefined) return undefined;
    const at = new Date(text);
    if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at.getTime())) return at;
    twilioIssue(ctx, 20001, `${name} must be an ISO 8601 date-time`);
    return z.NEVER;
  });
}

/** `/v1/Alerts`: Monitor's `LogLevel`, `StartDate` and `EndDate` filters. */
export const ListAlertsQuery = listQuery({
  LogLevel: textFilter('error or warning (notice and debug match nothing)').transform(
    (text, ctx): (typeof LOG_LEVELS)[number] | undefined => {
      if (text === undefined) return undefined;
      const level = LOG_LEVELS.find((l) => l === text.toLowerCase());
      if (level !== undefined) return level;
      twilioIssue(ctx, 20001, `LogLevel must be one of ${LOG_LEVELS.join(', ')}`);
      return z.NEVER;
    },
  ),
  StartDate: dateTimeFilter('StartDate', 'Generated at or after (ISO 8601)'),
  EndDate: dateTimeFilter('EndDate', 'Generated at or before (ISO 8601)'),
});

/** A call's `Events.json`: paging only. */
export const ListCallEventsQuery = PageQuery;

import { Injectable } from '@nestjs/common';

/**
 * The service's time source: every rule window is computed from it (never the database's
 * `now()`), so tests can move time across days without waiting.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

import { Injectable } from '@nestjs/common';

/** The time source of the service, so tests of timers can be written without sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

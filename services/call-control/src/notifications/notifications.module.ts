import { Module } from '@nestjs/common';
import { CallEventsModule } from '../call-events/call-events.module';
import { AlertsController } from './alerts.controller';
import { NotificationsController } from './notifications.controller';
import { RequestLogService } from './request-log.service';

/**
 * Notifications, Alerts and Twilio's call Events: views of webhook-dispatch's request log
 * (the RequestLogClient of `clients/`, a global module).
 */
@Module({
  imports: [CallEventsModule],
  controllers: [NotificationsController, AlertsController],
  providers: [RequestLogService],
})
export class NotificationsModule {}

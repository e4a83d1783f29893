import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { SendersModule } from '../senders/senders.module';
import { ApprovalSubmitter } from './approval-submitter.service';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsService } from './approvals.service';
import { ContentModule } from './content.module';

/** WhatsApp approval of Content templates: the ApprovalRequests API and its submitter. */
@Module({
  imports: [ContentModule, SendersModule, OutboxModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsService, ApprovalSubmitter],
})
export class ApprovalsModule {}
